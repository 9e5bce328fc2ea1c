"""The public API: check, check_many, Verdict.to_dict, with exact evidence spans."""
import json

import pytest

import verifier
from verifier import check, check_many

SCAM = "【京东金融】您的白条账户存在异常，需注销学生账户，否则影响征信。请将剩余额度转入安全账户6222 0212 3456 7890 123，详询客服QQ 88886666。"
GENUINE = "【招商银行】您尾号6688的信用卡本期账单5,680.12元，最低还款568.01元，到期还款日07月25日。如已还款请忽略。"
ABUSIVE = "你个老赖，欠钱不还还有脸吗？今天不还款我们就爆你通讯录，通知你全家和单位同事，让你在村里抬不起头！请立即登录官方App还款。"


def test_public_names():
    assert set(verifier.__all__) == {"check", "check_many", "check_file", "Verdict", "Evidence"}


def test_check_file_is_the_one_file_reader(tmp_path):
    """The Python API reads a whole inbox (the CLI and the server call the same function)."""
    import io

    from verifier import check_file

    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "%s"}\n{oops\n{"text": "%s"}\n' % (SCAM, GENUINE), encoding="utf-8")
    problems = []
    rows = list(check_file(p, on_problem=problems.append))
    assert [m["line"] for m, _, _ in rows] == [1, 3] and rows[0][2].label == "scam" and len(problems) == 1
    stream = list(check_file(io.BytesIO(p.read_bytes()), name="upload.jsonl"))
    assert [v.label for _, _, v in stream] == [v.label for _, _, v in rows]
    with pytest.raises(ValueError):
        check_file(tmp_path / "missing.jsonl")


@pytest.mark.parametrize("text", [SCAM, GENUINE, ABUSIVE])
def test_verdict_shape(text):
    v = check(text)
    d = v.to_dict()
    assert set(d) >= {"label", "confidence", "summary", "evidence", "advice", "lender"}
    assert d["label"] in ("legitimate", "suspicious", "abusive", "scam")
    assert 0.0 <= d["confidence"] <= 1.0
    assert isinstance(d["summary"], str) and d["summary"]
    assert d["advice"] and all(isinstance(a, str) for a in d["advice"])
    json.dumps(d, ensure_ascii=False)
    for e in d["evidence"]:
        assert set(e) == {"signal", "label", "start", "end", "quote", "prior", "learned", "explanation"}
        # a rule's hand-set prior or the model's learned weight, never both in one field
        assert (e["prior"] is None) != (e["learned"] is None)
        assert (e["signal"] == "model_wording") == (e["learned"] is not None)
        if e["start"] is None:
            assert e["end"] is None
        else:
            assert e["quote"] == text[e["start"]:e["end"]]


def test_labels_of_clear_cases():
    assert check(SCAM).label == "scam"
    assert check(ABUSIVE).label == "abusive"
    assert check(GENUINE, sender="95555").label == "legitimate"


def test_lender_is_reported():
    v = check(GENUINE, sender="95555")
    assert v.lender and v.lender["short"].startswith("招商")


def test_english():
    v = check(SCAM, lang="en")
    assert v.summary.isascii() or "fraud" in v.summary
    assert all(e.explanation.isascii() for e in v.evidence if e.explanation)


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", None])
def test_empty_text_is_value_error(bad):
    with pytest.raises(ValueError, match="empty"):
        check(bad)


def test_bad_lang():
    with pytest.raises(ValueError):
        check(GENUINE, lang="fr")


def test_bytes_are_decoded():
    assert check(GENUINE.encode("utf-8")).label in ("legitimate", "suspicious")


def test_check_many_matches_check_and_keeps_order():
    items = [SCAM, {"text": GENUINE, "sender": "95555"}, {"text": ABUSIVE, "received_at": "2026-11-20T23:40"}, ""]
    many = list(check_many(items))
    assert len(many) == 4
    assert many[0].to_dict() == check(SCAM).to_dict()
    assert many[1].to_dict() == check(GENUINE, sender="95555").to_dict()
    assert many[2].to_dict() == check(ABUSIVE, received_at="2026-11-20T23:40").to_dict()
    assert many[3].decided_by == "empty"


def test_sender_and_time_are_used():
    text = "您有一笔欠款已逾期，请尽快联系处理。"
    v = check(text, sender="+85261234567", received_at="2026-11-20T23:40")
    d = v.to_dict()
    assert d["label"] != "legitimate"


def test_labels_only_path_gives_the_same_labels():
    """check_many(..., explain=False): same label, confidence and decided_by, no explanation."""
    from verifier import check_many
    from verifier.training import heldout_rows

    rows = [{"text": r["text"], "sender": r.get("sender")} for r in heldout_rows()[:600]]
    rows.append({"text": "【招商银行】您尾号1234的信用卡本期账单3,250元。\n【客服中心】请把余额转到安全账户6222021234567890123"})
    full = list(check_many(rows))
    bare = list(check_many(rows, explain=False))
    assert [(v.label, round(v.confidence, 9), v.decided_by) for v in full] == \
        [(v.label, round(v.confidence, 9), v.decided_by) for v in bare]
    assert all(not v.evidence and not v.advice and not v.summary for v in bare)
