"""Explanations and advice: evidence quotes are exact, advice names only registry or message
contacts, both languages render, and three real-looking verdicts render as expected."""
import re
import sys
from pathlib import Path

import pytest

from verifier import check
from verifier.cli import render
from verifier.pipeline import default as default_pipeline

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from train import heldout_rows  # noqa: E402

HELDOUT = heldout_rows()

NUM = re.compile(r"(?<![0-9])[0-9]{3,}(?![0-9])")
DOM = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)


def _contacts_ok(text, advice, reg):
    for a in advice:
        for n in NUM.findall(a):
            assert n in text or reg.by_number(n) is not None, f"advice names {n}, not in the registry or the message"
        for d in DOM.findall(a):
            if re.fullmatch(r"[0-9.]+", d):
                continue
            assert d.lower() in text.lower() or reg.domain_owner(d) is not None, f"advice names {d}"


def test_heldout_verdicts_have_exact_evidence_and_safe_advice():
    from verifier import check_many

    reg = default_pipeline().registry
    assert len(HELDOUT) >= 200
    missing = []
    for r, v in zip(HELDOUT, check_many({"text": r["text"], "sender": r.get("sender"), "received_at": r.get("received_at")} for r in HELDOUT)):
        for e in v.evidence:
            if e.start is not None:
                assert r["text"][e.start:e.end] == e.quote
        if v.label != "legitimate" and not any(e.start is not None for e in v.evidence):
            missing.append((r["id"], v.label, v.decided_by))
        for lang_v in (v,):
            _contacts_ok(r["text"], lang_v.advice, reg)
    assert not missing, f"non-legitimate verdicts without a quoted span: {missing[:10]} ({len(missing)})"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_languages(lang):
    v = check("【京东金融】您的账户异常，请将余额转入安全账户6222021234567890123，并提供验证码。", lang=lang)
    out = render(v, "x", lang)
    if lang == "en":
        assert v.summary.isascii() and "What to do" in out
    else:
        assert "建议" in out and re.search(r"[\u4e00-\u9fff]", v.summary)


SNAP = {
    "scam": ("【招联金融】尊敬的客户，您的学生账户未注销将影响个人征信，请添加客服QQ 2876543210，并将额度内资金转入指定账户6217 0000 1234 5678 901完成注销。", None, None),
    "abusive": ("你欠的钱今天再不还，我们就把你的欠款情况发给你通讯录所有人和你单位领导，还要去你户籍地张贴告示！还款请登录分期乐App。", "17012345678", "2026-11-20T23:40"),
    "legitimate": ("【中国工商银行】您尾号1972的信用卡本期账单1,570.44元，到期还款日12月05日，请按时还款。如已还款请忽略。", "95588", "2026-11-20T10:00"),
}


@pytest.mark.parametrize("name", list(SNAP))
def test_snapshot_renders(name):
    text, sender, when = SNAP[name]
    v = check(text, sender=sender, received_at=when)
    out = render(v, text, "zh")
    assert v.label == name, out
    first = out.splitlines()[0]
    assert {"scam": "诈骗", "abusive": "违规催收", "legitimate": "正规"}[name] in first
    assert "置信度" in first
    if name != "legitimate":
        assert "[" in out and "]" in out  # a highlighted span
        assert v.evidence[0].quote and v.evidence[0].quote in text
    if name == "scam":
        assert any("个人" in a and "转账" in a for a in v.advice)
        assert any("110" in a for a in v.advice)
    if name == "abusive":
        assert any("12378" in a for a in v.advice)
        assert any("证据" in a for a in v.advice)
    if name == "legitimate":
        assert "95588" in " ".join(v.advice)
