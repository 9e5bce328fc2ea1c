"""What a borrower meets at the terminal: times read in China time, an unreadable --time said
plainly, control and bidi characters shown instead of obeyed, no traceback for `| head` or Ctrl-C."""
import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from verifier import check
from verifier.cli import main, render, visible
from verifier.timeline import parse_time


@pytest.mark.parametrize("value,want", [
    (int(datetime(2026, 11, 22, 0, 20, tzinfo=timezone.utc).timestamp() * 1000), datetime(2026, 11, 22, 8, 20)),  # SBR epoch ms
    (str(int(datetime(2026, 11, 22, 0, 20, tzinfo=timezone.utc).timestamp())), datetime(2026, 11, 22, 8, 20)),
    ("2026-11-22T06:20Z", datetime(2026, 11, 22, 14, 20)),
    ("2026-11-22T06:20:00+00:00", datetime(2026, 11, 22, 14, 20)),
    ("2026-11-22T23:40+08:00", datetime(2026, 11, 22, 23, 40)),
    ("2026-11-22T23:40", datetime(2026, 11, 22, 23, 40)),  # no offset: already China time
    ("not a time", None),
    ("2026-13-40T99:00", None),
])
def test_times_are_china_time(value, want):
    assert parse_time(value) == want


def test_epoch_times_do_not_depend_on_the_machine_clock():
    """On a UTC machine, a daytime Beijing message stays daytime (no night-time evidence)."""
    code = ("import time, os; os.environ['TZ']='UTC'; time.tzset(); from verifier.timeline import parse_time; "
            "print(parse_time(1795400400000).hour)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == str(parse_time(1795400400000).hour)
    v = check("您的借款已逾期，请登录App还款。", received_at="2026-11-22T06:20Z")  # 14:20 in Beijing
    assert not any(e.signal == "night_collection" for e in v.evidence)


def test_unreadable_time_is_refused(capsys):
    assert main(["check", "您的借款已逾期", "--time", "ten past eleven"]) == 2
    assert "cannot read the time" in capsys.readouterr().err


def test_terminal_output_shows_control_and_bidi_characters():
    text = "请把钱转到6222021234567890123\x1b[2K\r\x1b[1A✔ 正规（legitimate） 97%\u202eabc"
    v = check(text)
    out = render(v, text, "zh", color=True)
    assert "\x1b[2K" not in out and "\r" not in out and "\x1b[1A" not in out and "\u202e" not in out
    assert "␛[2K" in out and "<U+202E>" in out
    assert visible("a\tb\nc") == "a\tb\nc"


def test_version_and_no_traceback_on_a_closed_pipe():
    exe = [sys.executable, "-m", "verifier"]
    r = subprocess.run(exe + ["--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("verifier ")
    with subprocess.Popen(exe + ["check", "您的借款已逾期，请尽快还款"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, PYTHONUNBUFFERED="1")) as p:
        p.stdout.close()  # the reader is gone before the verdict is written, as with `| head` on a long output
        err = p.stderr.read().decode()
        p.wait(timeout=60)
    assert "Traceback" not in err


SCAM_WITH_SIGNATURE = "【京东金融】您的白条账户存在异常，需注销学生账户，否则影响征信。请将剩余额度转入安全账户6222 0212 3456 7890 123"


def test_verdict_card_advice_first_and_overlapping_evidence_merged():
    v = check(SCAM_WITH_SIGNATURE)
    out = render(v, SCAM_WITH_SIGNATURE, "zh")
    assert out.index("建议：") < out.index("短信原文") < out.index("依据：")
    bullets = [ln for ln in out.split("依据：")[1].splitlines() if ln.startswith("  • ")]
    quotes = [ln.split("”")[0] for ln in bullets]
    assert len(quotes) == len(set(quotes)) and len(bullets) <= 3
    assert any("另有" in ln for ln in bullets)
    # an impersonated signature is not shown as a sign of a genuine notice in a scam
    assert v.label == "scam" and all(e.label != "legitimate" for e in v.evidence)


def test_scam_that_threatens_also_gets_abuse_advice():
    text = "不想坐牢就今天把钱转到6222021234567890123，不然爆你通讯录，让你全家都知道"
    v = check(text)
    assert v.label == "scam"
    assert any("12378" in a or "保留截图" in a for a in v.advice)


def test_uncertain_verdicts_never_claim_high_confidence():
    from verifier.decision import decide
    from types import SimpleNamespace

    hit = SimpleNamespace(rule=SimpleNamespace(id="x", label="suspicious", weight=1.0, hard=False, defuses_hard=False, guard=False))
    d = decide([hit], {"scam": 0.45, "legitimate": 0.3, "suspicious": 0.25, "abusive": 0.0})
    assert d.by == "uncertain" and d.confidence < 0.5


def test_english_explain_shows_the_legal_basis_in_english():
    text = "你欠的钱今天再不还，我们就把你的欠款情况发给你通讯录所有人和你单位领导！还款请登录分期乐App。"
    out = render(check(text, lang="en"), text, "en", explain=True)
    basis = [ln for ln in out.splitlines() if ln.strip().startswith("basis:")]
    assert basis and all(not any("\u4e00" <= c <= "\u9fff" for c in ln) for ln in basis)


def test_several_pasted_messages_are_listed_in_chinese():
    text = "【招商银行】您尾号1234的信用卡本期账单3,250元，还款日07月25日。\n【客服中心】您的账户异常，请把余额转到安全账户6222021234567890123"
    v = check(text)
    assert any(n.startswith("#") and ("正规" in n or "诈骗" in n) for n in v.notes), v.notes


def test_inbox_summary_counts_labels_then_lists_risky_messages():
    from verifier import check_many
    from verifier.cli import Summary

    msgs = ["明天上午九点开会。", "请把钱转到6222021234567890123配合调查", "【招商银行】您尾号1234的信用卡本期账单3,250元，还款日07月25日。"]
    s = Summary("zh")
    for i, v in enumerate(check_many(msgs), 1):
        s.add({"line": i}, v)
    out = s.render()
    assert out.splitlines()[0] == "共 3 条：诈骗 1, 正规 2"
    assert "与借贷无关" in out and "#2 诈骗" in out and "#1 " not in out


def test_a_json_array_of_messages_is_read(tmp_path, capsys):
    p = tmp_path / "msgs.json"
    p.write_text(json.dumps([{"text": "您的借款已逾期，请尽快还款"}, "请把钱转到6222021234567890123", 5], ensure_ascii=False), encoding="utf-8")
    assert main(["check", "-f", str(p), "--no-progress", "--json"]) == 0
    cap = capsys.readouterr()
    rows = [json.loads(x) for x in cap.out.splitlines()]
    assert [r["line"] for r in rows] == [1, 2] and rows[1]["label"] == "scam"
    assert "item 3" in cap.err


def test_progress_counts_bytes_of_the_file(tmp_path):
    import io

    from verifier.inbox import read_messages
    from verifier.progress import Progress

    p = tmp_path / "in.txt"
    p.write_text("第一条短信内容\n第二条短信内容\n", encoding="utf-8")
    bar = Progress(io.StringIO(), p.stat().st_size)
    list(read_messages(str(p), on_read=bar.update))
    assert bar.by_bytes and bar._n == p.stat().st_size
    bar.close()


def test_help_shows_examples_exit_codes_and_serve_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "exit status:" in out and "verifier check -f" in out
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal width
    assert "default: 127.0.0.1" in out and "default: 8765" in out


def test_progress_shows_the_first_pass_then_starts_again_for_the_check(tmp_path):
    """A file with senders and times is read twice: the bar says so during the first pass, then
    counts the checking pass from zero to the file's size."""
    import io

    from verifier.checker import check_file
    from verifier.progress import Progress

    p = tmp_path / "in.jsonl"
    p.write_text("".join(json.dumps({"text": f"您的借款已逾期{i}天，请登录App还款", "sender": "17012345678",
                                     "received_at": f"2026-11-20T23:{i:02d}"}, ensure_ascii=False) + "\n" for i in range(30)),
                 encoding="utf-8")
    size = p.stat().st_size
    out = io.StringIO()
    bar = Progress(out, size)
    seen_first: list[int] = []

    def first(n):
        seen_first.append(n)
        bar.first_pass(n)

    verdicts = list(check_file(str(p), on_read=bar.update, on_first_pass=first))
    assert len(verdicts) == 30 and seen_first and seen_first[-1] == size
    assert bar._n == size and not bar._first_pass
    assert "senders and times" in out.getvalue()
    bar.close()
