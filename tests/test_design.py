"""The shape of the code the README's "How it works" promises: one vocabulary, every predicate
the analysis states declared (and every declared one stated), short functions, and a page that
keeps no copy of the vocabulary."""
import ast
import re
from pathlib import Path

import pytest

from verifier import vocabulary

PKG = Path(__file__).resolve().parent.parent / "verifier"


def _functions():
    for p in sorted(PKG.rglob("*.py")):
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield p.relative_to(PKG.parent), n


def test_no_function_is_longer_than_sixty_lines():
    long = [f"{p}:{n.lineno} {n.name} ({n.end_lineno - n.lineno + 1} lines)"
            for p, n in _functions() if n.end_lineno - n.lineno + 1 > 60]
    assert not long, long


def test_the_vocabulary_imports_nothing_from_the_package():
    tree = ast.parse((PKG / "vocabulary.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("verifier"))]


def _stated_in_facts_module() -> set[str]:
    """Every predicate verifier/facts.py can state: its string literals and the f-string
    families it fills in (url.{whose}, phone.{whose})."""
    src = (PKG / "facts.py").read_text(encoding="utf-8")
    out = set(re.findall(r'"((?:[a-z]+)\.[a-z_]+)"', src))
    whose = ("official", "other_lender", "unknown")
    for fam in re.findall(r'f"([a-z]+)\.\{ownership\(', src):
        out |= {f"{fam}.{w}" for w in whose}
    return out


def test_every_predicate_the_facts_module_states_is_declared_and_every_declared_one_is_stated():
    stated = _stated_in_facts_module()
    assert stated - set(vocabulary.PREDICATES) == set(), "stated but not declared"
    assert set(vocabulary.PREDICATES) - stated == set(), "declared but never stated"


def test_every_predicate_emitted_on_the_rule_examples_is_declared(pipeline):
    seen: set[str] = set()
    for r in pipeline.rules.rules:
        for ex in (*r.examples_fire, *r.examples_silent):
            a = pipeline.analyze(ex.text, sender=ex.sender, received_at=ex.received_at, burst=ex.burst)
            seen |= set(a.facts)
    assert seen <= set(vocabulary.PREDICATES), seen - set(vocabulary.PREDICATES)
    assert len(seen) >= 0.8 * len(vocabulary.PREDICATES)  # the examples exercise most of them


def test_rule_roles_are_declared_not_inferred_from_weights(pipeline):
    """The decision layer reads a rule's role; weights are only priors. Every role is used."""
    from verifier.rules.engine import ROLES

    roles = {r.role for r in pipeline.rules.rules}
    assert roles == set(ROLES)
    src = (PKG / "decision.py").read_text(encoding="utf-8")
    assert ".weight >=" not in src and "GUARD_WEIGHT" not in src


def test_the_model_card_records_the_decision_thresholds():
    from verifier import decision, model

    m = model.default()
    assert {k: m.card["decision"][k] for k in decision.THRESHOLDS} == decision.THRESHOLDS
    assert m.thresholds == decision.THRESHOLDS


@pytest.mark.parametrize("copy", ['scam: "诈骗"', 'abusive: "违规催收"', 'legitimate: "Legitimate"', "scam: 3",
                                  '"scam", "abusive", "suspicious", "legitimate"'])
def test_the_page_keeps_no_copy_of_the_vocabulary(copy):
    assert copy not in (PKG / "static" / "app.js").read_text(encoding="utf-8")
