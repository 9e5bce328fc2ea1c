"""Rules as data: load, validate and run the ``*.toml`` rule files.

Every keyword of every rule goes into one Aho-Corasick automaton, built once; regexes are
compiled once per rule. Running a message is one automaton pass plus the rules' regexes, then
cheap checks of context, negations, ``unless`` words and entity predicates.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..literals import required_literals
from ..vocabulary import LABELS, PREDICATES, TOPICS

_KEYS = {"id", "label", "weight", "role", "basis", "zh", "en", "keywords", "patterns", "context", "window",
         "negations", "negation_window", "unless", "scope", "when", "when_not", "examples_fire", "examples_silent", "topic",
         "all_of", "none_of"}
# what a rule may do besides being a feature of the model (the decision layer reads these, never
# the weight): "hard" decides "scam" alone; "guard" turns a "legitimate" call into "suspicious";
# "defuse" marks a legitimate context (a scam WARNING) in which hard rules may not decide alone
ROLES = {"signal": LABELS, "hard": ("scam",), "guard": ("scam", "abusive"), "defuse": ("legitimate",)}
_FORBIDDEN_RE = re.compile(r"\\[bBwW]")


class RuleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    sender: str | None = None
    received_at: str | None = None
    burst: bool = False  # the message came in a burst from the same sender (see timeline.burst_flags)
    expect: str | None = None  # the exact quote (in the original text) the rule must produce


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    weight: float             # the hand-set prior: a feature of the model and the evidence's rank
    role: str                 # ROLES: what the rule may decide on its own
    basis: str
    zh: str
    en: str
    keywords: tuple[str, ...]
    patterns: tuple[str, ...]
    context: tuple[str, ...]
    window: int
    negations: tuple[str, ...]
    negation_window: int
    unless: tuple[str, ...]
    scope: str
    when: tuple[str, ...]
    when_not: tuple[str, ...]
    examples_fire: tuple[Example, ...]
    examples_silent: tuple[Example, ...]
    file: str = ""
    regex: re.Pattern | None = None  # the patterns, compiled as one alternation
    topic: str = ""  # the fraud family it detects (TOPICS), if any
    all_of: tuple[str, ...] = ()   # a composite: fires when all these rules fired …
    none_of: tuple[str, ...] = ()  # … and none of these

    @property
    def hard(self) -> bool:
        return self.role == "hard"

    @property
    def guard(self) -> bool:
        return self.role == "guard"

    @property
    def defuses_hard(self) -> bool:
        return self.role == "defuse"

    @property
    def has_matchers(self) -> bool:
        return bool(self.keywords or self.patterns)

    @property
    def composite(self) -> bool:
        return bool(self.all_of)


@dataclass(frozen=True, slots=True)
class Hit:
    rule: Rule
    start: int | None  # span in the NORMALISED text; None for sender/time evidence
    end: int | None
    matched: str = ""


@dataclass
class Doc:
    """What the engine needs from the analysis: the normalised text, entity predicates
    (name -> list of normalised spans; an empty list means true without a span), and the
    normalised spans of the message's signatures."""
    text: str
    facts: Mapping[str, Sequence[tuple[int, int]]]
    signature_spans: Sequence[tuple[int, int]] = ()


def _list(where: str, v, key: str, phrases: Mapping[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """A list of strings; with ``phrases``, an entry "@name" stands for the named phrase set."""
    if v is None:
        return ()
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise RuleError(f"{where}: '{key}' must be a list of non-empty strings")
    if phrases is None:
        return tuple(v)
    out: list[str] = []
    for x in v:
        if x.startswith("@"):
            if x[1:] not in phrases:
                raise RuleError(f"{where}: '{key}' names an unknown phrase set {x!r}")
            out.extend(phrases[x[1:]])
        else:
            out.append(x)
    return tuple(dict.fromkeys(out))


def _typed(where: str, d: dict, key: str, kind: type, default):
    """d[key] of exactly ``kind`` (a bool is not an int, "false" is not a bool), or the default."""
    v = d.get(key, default)
    ok = isinstance(v, kind) and not (kind in (int, float) and isinstance(v, bool))
    if kind is float and isinstance(v, int) and not isinstance(v, bool):
        ok, v = True, float(v)
    if not ok:
        raise RuleError(f"{where}: '{key}' must be {kind.__name__}, not {v!r}")
    return v


def _examples(where: str, v, key: str) -> tuple[Example, ...]:
    if not isinstance(v, list):
        raise RuleError(f"{where}: '{key}' must be a list")
    out = []
    for x in v:
        if isinstance(x, str):
            out.append(Example(x))
        elif isinstance(x, dict) and isinstance(x.get("text"), str) and set(x) <= {"text", "sender", "received_at", "burst", "expect"}:
            expect = x.get("expect")
            if expect is not None and (not isinstance(expect, str) or expect not in x["text"]):
                raise RuleError(f"{where}: '{key}' expects a quote that is not in its text: {expect!r}")
            out.append(Example(x["text"], x.get("sender"), x.get("received_at"), _typed(where, x, "burst", bool, False), expect))
        else:
            raise RuleError(f"{where}: bad entry in '{key}': {x!r}")
    return tuple(out)


def _compiled(where: str, pats: tuple[str, ...]) -> re.Pattern | None:
    """The rule's patterns as one compiled alternation; compiled singly only to name a bad one."""
    for p in pats:
        if _FORBIDDEN_RE.search(p):
            raise RuleError(f"{where}: pattern {p!r} uses \\b/\\w, which breaks on CJK text")
    if not pats:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in pats))
    except re.error:
        for p in pats:
            try:
                re.compile(p)
            except re.error as e:
                raise RuleError(f"{where}: bad pattern {p!r}: {e}") from None
        raise RuleError(f"{where}: the patterns do not combine into one expression") from None


def _kind(where: str, d: dict) -> tuple[str, float, str, str]:
    """(label, weight, role, topic) of a rule, checked."""
    label = d.get("label")
    if label not in LABELS:
        raise RuleError(f"{where}: 'label' must be one of {LABELS}")
    weight = _typed(where, d, "weight", float, 1.0)
    if not 0 < weight <= 5:
        raise RuleError(f"{where}: 'weight' must be a number in (0, 5]")
    role = _typed(where, d, "role", str, "signal")
    if role not in ROLES:
        raise RuleError(f"{where}: 'role' must be one of {tuple(ROLES)}")
    if label not in ROLES[role]:
        raise RuleError(f"{where}: a {label} rule cannot have the role {role!r} (only {', '.join(ROLES[role])})")
    topic = _typed(where, d, "topic", str, "")
    if topic and topic not in TOPICS:
        raise RuleError(f"{where}: 'topic' must be one of {TOPICS}")
    return label, weight, role, topic


def parse_rule(d: dict, file: str = "", phrases: Mapping[str, tuple[str, ...]] | None = None) -> Rule:
    phrases = phrases or {}
    rid = d.get("id")
    where = f"{file}: rule {rid!r}"
    if not isinstance(rid, str) or not re.fullmatch(r"[a-z][a-z0-9_]{2,60}", rid or ""):
        raise RuleError(f"{where}: 'id' must be snake_case")
    unknown = set(d) - _KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {sorted(unknown)}")
    label, weight, role, topic = _kind(where, d)
    for k in ("basis", "scope"):
        _typed(where, d, k, str, "")
    for k in ("zh", "en"):
        if not isinstance(d.get(k), str) or not d[k].strip():
            raise RuleError(f"{where}: missing explanation '{k}'")
    pats = _list(where, d.get("patterns"), "patterns")
    regex = _compiled(where, pats)
    when = _list(where, d.get("when"), "when")
    when_not = _list(where, d.get("when_not"), "when_not")
    for p in (*when, *when_not):
        if p not in PREDICATES:
            raise RuleError(f"{where}: unknown predicate {p!r}")
    keywords = _list(where, d.get("keywords"), "keywords", phrases)
    all_of, none_of = _list(where, d.get("all_of"), "all_of"), _list(where, d.get("none_of"), "none_of")
    if all_of and (keywords or pats):
        raise RuleError(f"{where}: a composite (all_of) takes no keywords or patterns of its own")
    if none_of and not all_of:
        raise RuleError(f"{where}: 'none_of' needs 'all_of'")
    if not keywords and not pats and not when and not all_of:
        raise RuleError(f"{where}: a rule needs keywords, patterns, when or all_of")
    window = _typed(where, d, "window", int, 0)
    negation_window = _typed(where, d, "negation_window", int, 4)
    if window < 0 or negation_window < 0:
        raise RuleError(f"{where}: 'window' and 'negation_window' must not be negative")
    scope = d.get("scope", "text")
    if scope not in ("text", "signature"):
        raise RuleError(f"{where}: scope must be 'text' or 'signature'")
    return Rule(
        id=rid, label=label, weight=float(weight), role=role, basis=str(d.get("basis", "")),
        zh=d["zh"].strip(), en=d["en"].strip(), keywords=keywords, patterns=tuple(pats), regex=regex,
        context=_list(where, d.get("context"), "context", phrases), window=window,
        negations=_list(where, d.get("negations"), "negations", phrases), negation_window=negation_window,
        unless=_list(where, d.get("unless"), "unless", phrases), scope=scope, when=when, when_not=when_not,
        examples_fire=_examples(where, d.get("examples_fire", []), "examples_fire"),
        examples_silent=_examples(where, d.get("examples_silent", []), "examples_silent"),
        file=file, topic=topic, all_of=all_of, none_of=none_of,
    )


def _gate_automaton(literals):
    """One Aho-Corasick automaton over every rule's required literals: literal → rule indices."""
    import ahocorasick

    by_lit: dict[str, list[int]] = {}
    for i, lits in enumerate(literals):
        for lit in lits or ():
            by_lit.setdefault(lit, []).append(i)
    auto = ahocorasick.Automaton()
    for lit, idx in by_lit.items():
        auto.add_word(lit, tuple(idx))
    if len(auto):
        auto.make_automaton()
    return auto


@dataclass
class RuleSet:
    rules: list[Rule]
    phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # named phrase sets (phrases.toml)
    _auto: object = field(default=None, repr=False)
    _unless_auto: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import ahocorasick

        from ..normalize import normalize

        seen: dict[str, str] = {}
        for r in self.rules:
            if r.id in seen:
                raise RuleError(f"{r.file}: rule id {r.id!r} already defined in {seen[r.id]}")
            seen[r.id] = r.file
        by_id = {r.id: r for r in self.rules}
        for r in self.rules:  # a composite names rules that exist and are not composites themselves
            for ref in (*r.all_of, *r.none_of):
                if ref not in by_id:
                    raise RuleError(f"{r.file}: rule {r.id!r}: 'all_of'/'none_of' names an unknown rule {ref!r}")
                if by_id[ref].composite:
                    raise RuleError(f"{r.file}: rule {r.id!r}: {ref!r} is a composite; name plain rules only")
        auto = ahocorasick.Automaton()
        unless = ahocorasick.Automaton()
        kw_map: dict[str, list[int]] = {}
        un_map: dict[str, list[int]] = {}
        for i, r in enumerate(self.rules):
            for k in r.keywords:
                kw_map.setdefault(normalize(k).text, []).append(i)
            for k in r.unless:
                un_map.setdefault(normalize(k).text, []).append(i)
        for k, idx in kw_map.items():
            if k:
                auto.add_word(k, (len(k), tuple(idx)))
        for k, idx in un_map.items():
            if k:
                unless.add_word(k, tuple(idx))
        if len(auto):
            auto.make_automaton()
        if len(unless):
            unless.make_automaton()
        self._auto, self._unless_auto = auto, unless
        self._sets: dict[str, object] = {}
        self._pattern_rules = [i for i, r in enumerate(self.rules) if r.patterns]
        self._only_when = [i for i, r in enumerate(self.rules) if not r.has_matchers and not r.composite]
        self._composites = [i for i, r in enumerate(self.rules) if r.composite]
        self._context_norm = [tuple(normalize(c).text for c in r.context) for r in self.rules]
        self._neg_norm = [tuple(normalize(c).text for c in r.negations) for r in self.rules]
        self._neg_max = [max((len(n) for n in negs), default=0) for negs in self._neg_norm]
        self._combined = [r.regex for r in self.rules]
        # the literal gate: a regex runs only when the message holds a string its match must contain
        self._literals = [required_literals(r.regex.pattern) if r.regex is not None else None for r in self.rules]
        self._gate_auto = _gate_automaton(self._literals)
        # pattern rules whose literals cannot be told run on every message (their predicates permitting)
        self._pattern_always = [i for i in self._pattern_rules if self._literals[i] is None]
        # rules that match on facts alone are looked up by their first predicate, so a message
        # only visits the rules whose gate can open
        self._only_when_by_pred: dict[str, list[int]] = {}
        for i in self._only_when:
            self._only_when_by_pred.setdefault(self.rules[i].when[0], []).append(i)

    _gate = True  # the literal gate (tests switch it off to show it changes no hit)

    def __len__(self) -> int:
        return len(self.rules)

    def phrase_spans(self, name: str, text: str) -> list[tuple[int, int]]:
        """Where the phrases of the named set occur in ``text`` (normalised), left to right."""
        auto = self._sets.get(name)
        if auto is None:
            import ahocorasick

            from ..normalize import normalize

            auto = ahocorasick.Automaton()
            for k in self.phrases.get(name, ()):
                k = normalize(k).text
                if k:
                    auto.add_word(k, len(k))
            if len(auto):
                auto.make_automaton()
            self._sets[name] = auto
        if not len(auto):
            return []
        return [(end - n + 1, end + 1) for end, n in auto.iter(text)]

    def run(self, doc: Doc) -> list[Hit]:
        text = doc.text
        facts = doc.facts
        silenced: set[int] = set()
        if len(self._unless_auto):
            for _, idx in self._unless_auto.iter(text):
                silenced.update(idx)
        cands: dict[int, list[tuple[int, int]]] = {}
        if len(self._auto):
            for end, (n, idx) in self._auto.iter(text):
                for i in idx:
                    if i not in silenced:
                        cands.setdefault(i, []).append((end - n + 1, end + 1))
        if self._gate:  # the pattern rules one of whose required literals occurs in the text
            visit = set(self._pattern_always)
            for _, idx in self._gate_auto.iter(text) if len(self._gate_auto) else ():
                visit.update(idx)
        else:
            visit = self._pattern_rules
        for i in sorted(visit):  # rule order, as declared
            if i in silenced or not self._predicates_ok(self.rules[i], facts):
                continue
            for m in self._combined[i].finditer(text):
                if m.end() > m.start():
                    cands.setdefault(i, []).append((m.start(), m.end()))
        hits: list[Hit] = []
        for i, spans in cands.items():
            r = self.rules[i]
            if not self._predicates_ok(r, facts):
                continue
            for s, e in self._filter_spans(i, r, text, spans, doc.signature_spans):
                hits.append(Hit(r, s, e, text[s:e]))
        for i in self._gated((), self._only_when_by_pred, facts):
            if i in silenced:
                continue
            r = self.rules[i]
            if not self._predicates_ok(r, facts):
                continue
            span = None
            for p in r.when:
                if facts.get(p):
                    span = facts[p][0]
                    break
            if span is None:
                hits.append(Hit(r, None, None, ""))
            else:
                hits.append(Hit(r, span[0], span[1], text[span[0]:span[1]]))
        if self._composites:
            hits += self._composite_hits(hits, silenced, facts)
        return hits

    def _composite_hits(self, hits: list[Hit], silenced: set[int], facts: Mapping) -> list[Hit]:
        """Composites (as SpamAssassin meta rules): a rule that fires when all of the rules it names
        fired and none of its exclusions did; its evidence is the first words of each it names."""
        first: dict[str, Hit] = {}
        for h in hits:
            first.setdefault(h.rule.id, h)
        out = []
        for i in self._composites:
            r = self.rules[i]
            if i in silenced or not self._predicates_ok(r, facts):
                continue
            if all(x in first for x in r.all_of) and not any(x in first for x in r.none_of):
                out += [Hit(r, first[x].start, first[x].end, first[x].matched) for x in r.all_of]
        return out

    @staticmethod
    def _gated(free, by_pred: dict, facts: Mapping) -> list[int]:
        out = list(free)
        for p in facts:
            lst = by_pred.get(p)
            if lst:
                out.extend(lst)
        out.sort()  # rule order, as declared
        return out

    @staticmethod
    def _predicates_ok(r: Rule, facts: Mapping) -> bool:
        for p in r.when:
            if p not in facts:
                return False
        for p in r.when_not:
            if p in facts:
                return False
        return True

    def _filter_spans(self, i: int, r: Rule, text: str, spans, sig_spans):
        spans = sorted(set(spans), key=lambda s: (s[0], -s[1]))
        kept: list[tuple[int, int]] = []
        ctx = self._context_norm[i]
        negs = self._neg_norm[i]
        negated: list[tuple[int, int]] = []
        if negs:
            # a negation before a hit cancels it, and every hit overlapping it ("谨防冒充法院发送
            # 电子传票": 冒充 cancels 电子传票 and the 传票 inside it)
            for s, e in spans:
                lo = s - r.negation_window - self._neg_max[i]
                before = text[lo if lo > 0 else 0:s]
                if any(n in before for n in negs):
                    negated.append((s, e))
        for s, e in spans:
            if kept and s < kept[-1][1]:
                continue  # overlaps a longer hit of the same rule
            if negated and any(s < b and a < e for a, b in negated):
                continue
            if r.scope == "signature" and not any(a <= s and e <= b for a, b in sig_spans):
                continue
            if ctx:
                if r.window > 0:
                    area = text[max(0, s - r.window):e + r.window]
                else:
                    area = text
                if not any(c in area for c in ctx):
                    continue
            kept.append((s, e))
        return kept


def load_rules(directory: Path | None = None) -> RuleSet:
    from ..resources import rules_dir

    d = Path(directory) if directory else rules_dir()
    rules: list[Rule] = []
    files = sorted(d.glob("*.toml"))
    if not files:
        raise RuleError(f"no rule files (*.toml) in {d}")
    loaded = []
    phrases: dict[str, tuple[str, ...]] = {}
    for p in files:
        try:
            with open(p, "rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise RuleError(f"{p.name}: cannot read the rule file: {e}") from None
        unknown = set(data) - {"rule", "phrases"}
        if unknown:
            raise RuleError(f"{p.name}: unknown top-level key(s) {sorted(unknown)}")
        table = data.get("phrases", {})
        if not isinstance(table, dict):
            raise RuleError(f"{p.name}: 'phrases' must be a table of named lists")
        for name, lst in table.items():
            if name in phrases:
                raise RuleError(f"{p.name}: phrase set {name!r} is defined twice")
            if not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", name):
                raise RuleError(f"{p.name}: phrase set name {name!r} must be snake_case")
            phrases[name] = _list(f"{p.name}: phrase set {name!r}", lst, "phrases")
        if not isinstance(data.get("rule", []), list):
            raise RuleError(f"{p.name}: 'rule' must be an array of tables ([[rule]])")
        loaded.append((p.name, data.get("rule", [])))
    for name, entries in loaded:  # phrase sets first: any rule may name a set of any file
        for d_ in entries:
            if not isinstance(d_, dict):
                raise RuleError(f"{name}: every [[rule]] must be a table")
            rules.append(parse_rule(d_, name, phrases))
    return RuleSet(rules, phrases)
