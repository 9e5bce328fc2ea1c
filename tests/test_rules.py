"""Every rule proves itself: its examples_fire fire (with exact spans in the original text),
its examples_silent stay silent; rule files are validated at load."""
import textwrap

import pytest

from verifier.rules import RuleError, default as default_rules, load_rules

RULES = default_rules().rules


def _fired(pipeline, ex, rule_id):
    a = pipeline.analyze(ex.text, sender=ex.sender, received_at=ex.received_at, burst=ex.burst)
    return a, [h for h in a.hits if h.rule.id == rule_id]


def test_enough_rules():
    assert len(RULES) >= 80
    for label in ("legitimate", "suspicious", "abusive", "scam"):
        assert sum(r.label == label for r in RULES) >= 5, label


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_examples(pipeline, rule):
    assert len(rule.examples_fire) >= 2, "needs at least 2 examples_fire"
    assert len(rule.examples_silent) >= 2, "needs at least 2 examples_silent"
    for ex in rule.examples_fire:
        a, hits = _fired(pipeline, ex, rule.id)
        assert hits, f"{rule.file}:{rule.id} should fire on: {ex.text}"
        if ex.expect is not None:
            quotes = [ex.text[slice(*a.norm.to_raw(h.start, h.end))] for h in hits if h.start is not None]
            assert ex.expect in quotes, f"{rule.id}: expected the quote {ex.expect!r}, got {quotes}"
        for h in hits:
            if h.start is None:
                continue
            s, e = a.norm.to_raw(h.start, h.end)
            assert 0 <= s < e <= len(ex.text)
            quote = ex.text[s:e]
            assert quote.strip(), f"{rule.id}: empty quote"
    for ex in rule.examples_silent:
        _, hits = _fired(pipeline, ex, rule.id)
        assert not hits, f"{rule.file}:{rule.id} must NOT fire on: {ex.text} (matched {[h.matched for h in hits]})"


GENUINE_HARD = [
    "【广发银行】您尾号1234的信用卡本期账单3,250.00元，最低还款325.00元，请于07月25日前还款，逾期将按合同计收利息并报送人民银行征信系统。分期办理点击 n.95508.com/a1B2 如已还款请忽略。",
    "【招商银行】您尾号6688信用卡已逾期3天，欠款5,680.12元。请今日17点前存入足额款项，以免影响您的个人征信记录。详询95555。",
    "【微众银行】您的微粒贷借款已逾期，请尽快通过微信-微粒贷还款，逾期信息将依法报送征信机构，如需协助请致电95384。",
    "【京东金融】尊敬的用户，您的京东金条本期应还2,300.00元已逾期2天，请登录京东金融App还款，持续逾期我司将依法提起诉讼。客服95118",
    "您的验证码为583921，用于登录招商银行手机银行，切勿告知他人，银行工作人员不会向您索取。[招商银行]",
]


@pytest.mark.parametrize("text", GENUINE_HARD)
def test_no_hard_scam_on_genuine_notice(pipeline, text):
    a = pipeline.analyze(text)
    hard = [h.rule.id for h in a.hits if h.rule.hard]
    assert not hard, f"hard scam rules fired on a genuine notice: {hard}"


def _write(tmp_path, body):
    (tmp_path / "x.toml").write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


BASE = '''
[[rule]]
id = "demo_rule"
label = "abusive"
weight = 1.0
zh = "示例"
en = "demo"
'''


@pytest.mark.parametrize("extra,msg", [
    ('keywords = ["上门"]\nbogus = 1\n', "unknown key"),
    ("patterns = ['(上门']\n", "bad pattern"),
    ("patterns = ['\\\\b上门']\n", "breaks on CJK"),
    ('keywords = ["上门"]\nwhen = ["lender.nonsense"]\n', "unknown predicate"),
    ('keywords = ["上门"]\nrole = "hard"\n', "cannot have the role 'hard'"),
    ('keywords = ["上门"]\nrole = "defuse"\n', "cannot have the role 'defuse'"),
    ('keywords = ["上门"]\nrole = "strong"\n', "'role' must be one of"),
    ('keywords = ["上门"]\nrole = true\n', "'role' must be str"),
    ('keywords = ["上门"]\nhard = true\n', "unknown key"),
    ('keywords = ["上门"]\nwindow = "ten"\n', "'window' must be int"),
    ('keywords = ["上门"]\nunless = ["@no_such_set"]\n', "unknown phrase set"),
    ('keywords = ["上门"]\ntopic = "weather"\n', "'topic' must be one of"),
    ('keywords = ["上门"]\nexamples_fire = [{ text = "上门", expect = "下门" }]\n', "not in its text"),
    ("", "needs keywords"),
])
def test_bad_rule_files_name_file_and_rule(tmp_path, extra, msg):
    with pytest.raises(RuleError) as e:
        load_rules(_write(tmp_path, BASE + extra))
    assert msg in str(e.value)
    assert "x.toml" in str(e.value) and "demo_rule" in str(e.value)


def test_phrase_sets_expand_in_every_list(tmp_path):
    body = '[phrases]\nwarn = ["谨防", "骗局"]\n' + BASE + 'keywords = ["上门", "@warn"]\nunless = ["@warn", "忽略"]\n'
    r = load_rules(_write(tmp_path, body)).rules[0]
    assert r.keywords == ("上门", "谨防", "骗局") and r.unless == ("谨防", "骗局", "忽略")


def test_shared_phrase_sets_are_used():
    """The anti-fraud-warning list is declared once and named by the fraud rules, not copied."""
    rs = default_rules()
    warn = set(rs.phrases["scam_warning"])
    assert len(warn) >= 30
    users = [r for r in RULES if warn <= set(r.unless)]
    assert len(users) >= 30
    import tomllib

    from verifier.resources import rules_dir

    copies = 0
    for p in rules_dir().glob("*.toml"):
        for d in tomllib.loads(p.read_text(encoding="utf-8")).get("rule", []):
            copies += len(warn & set(d.get("unless", []))) >= 20
    assert copies == 0, "a rule file copies the scam_warning phrases instead of naming @scam_warning"


def test_duplicate_rule_ids_rejected(tmp_path):
    body = BASE + 'keywords = ["上门"]\n' + BASE + 'keywords = ["上门"]\n'
    with pytest.raises(RuleError, match="already defined"):
        load_rules(_write(tmp_path, body))


@pytest.mark.parametrize("pattern,literals", [
    ("(?:提供|告知)验证码", {"提供验证码", "告知验证码"}),     # a run goes through groups of fixed strings
    ("(?:提供|告知)[^。]{0,6}", {"提供", "告知"}),
    ("(?:ab|c)d", {"abd", "cd"}),
    ("(?:ab|c.)d", {"d"}),
    ("[0-9]{3}元", {"元"}),
    ("加(?:qq|微信)[0-9]{5,}", {"加qq", "加微信"}),
    ("(?:上门|到家)+拜访", {"拜访"}),
    ("征[信心]修复", {"征信修复", "征心修复"}),
    ("a?b", {"b"}),
    (".{0,3}", None),
    ("(?:x)?", None),
    ("(?i)abc", None),                                   # case-insensitive: no gate
    ("(?=上门)", None),
])
def test_required_literals(pattern, literals):
    from verifier.literals import required_literals

    got = required_literals(pattern)
    assert (None if got is None else set(got)) == literals


@pytest.mark.parametrize("pattern,text", [
    ("(?:提供|告知)验证码", "请告知验证码"), ("征[信心]修复", "征心修复服务"), ("加(?:qq|微信)[0-9]{5,}", "加微信123456"),
    ("[0-9]{3}元", "共计500元"), ("(?:ab|c)d", "xxcd"), ("(?:上门|到家)+拜访", "到家上门拜访"),
])
def test_a_match_always_holds_one_of_its_required_literals(pattern, text):
    import re

    from verifier.literals import required_literals

    m = re.search(pattern, text)
    assert m and any(lit in m.group(0) for lit in required_literals(pattern))


def test_literal_gate_changes_no_hit(pipeline):
    """The literal gate only skips regexes that cannot match: the same hits without it, on every
    rule example and every corpus and evaluation message. Every pattern rule is gated."""
    import json
    from pathlib import Path

    from verifier.rules.engine import Doc

    rs = pipeline.rules
    assert all(lits is not None for r, lits in zip(rs.rules, rs._literals) if r.regex is not None)
    texts = [(ex.text, ex.sender, ex.received_at, ex.burst) for r in rs.rules for ex in (*r.examples_fire, *r.examples_silent)]
    data = Path(__file__).resolve().parent.parent / "data"
    for f in sorted(data.glob("corpus/*.jsonl")) + sorted(data.glob("eval/*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                texts.append((r["text"], r.get("sender"), r.get("received_at"), False))
    docs = []
    for text, sender, when, burst in texts:
        a = pipeline.analyze(text, sender=sender, received_at=when, burst=burst)
        docs.append(Doc(a.text, a.facts, a.found.signature_spans))

    def hits():
        return [sorted((h.rule.id, h.start, h.end) for h in rs.run(d)) for d in docs]

    gated = hits()
    try:
        rs._gate = False
        assert hits() == gated
    finally:
        rs._gate = True


def test_every_fraud_family_has_its_rules():
    """Each fraud family around a debt is detected by at least three rules of its own."""
    from collections import Counter

    from verifier.vocabulary import TOPICS

    n = Counter(r.topic for r in RULES)
    for t in TOPICS:
        assert n[t] >= 3, (t, n[t])


COMPOSITE = BASE + 'keywords = ["上门"]\n' + '''
[[rule]]
id = "demo_card"
label = "scam"
weight = 1.0
zh = "卡"
en = "card"
keywords = ["转到这张卡"]

[[rule]]
id = "demo_warning"
label = "legitimate"
weight = 1.0
zh = "提醒"
en = "warning"
keywords = ["谨防诈骗"]

[[rule]]
id = "demo_visit_and_card"
label = "scam"
weight = 2.0
zh = "上门加私卡"
en = "visit and card"
all_of = ["demo_rule", "demo_card"]
none_of = ["demo_warning"]
'''


def test_composite_rules_fire_on_what_the_rules_they_name_found(tmp_path):
    from verifier.rules.engine import Doc

    rs = load_rules(_write(tmp_path, COMPOSITE))

    def fired(text):
        return {(h.rule.id, h.matched) for h in rs.run(Doc(text, {}, ()))}

    both = fired("明天上门，钱转到这张卡")
    assert {("demo_visit_and_card", "上门"), ("demo_visit_and_card", "转到这张卡")} <= both
    assert not any(r == "demo_visit_and_card" for r, _ in fired("明天上门拜访"))
    assert not any(r == "demo_visit_and_card" for r, _ in fired("谨防诈骗：有人说上门，让你钱转到这张卡"))


@pytest.mark.parametrize("extra,msg", [
    ('all_of = ["demo_rule"]\nkeywords = ["x"]\n', "takes no keywords"),
    ('all_of = ["no_such_rule"]\n', "unknown rule 'no_such_rule'"),
    ('all_of = ["demo_visit_and_card"]\n', "is a composite"),
    ('none_of = ["demo_rule"]\nkeywords = ["x"]\n', "'none_of' needs 'all_of'"),
])
def test_bad_composites_are_refused(tmp_path, extra, msg):
    body = COMPOSITE + '''
[[rule]]
id = "demo_bad"
label = "scam"
zh = "坏"
en = "bad"
''' + extra
    with pytest.raises(RuleError) as e:
        load_rules(_write(tmp_path, body))
    assert msg in str(e.value) and "x.toml" in str(e.value)
