"""The CLI, run in-process through main(argv)."""
import json
import subprocess
import sys

import pytest

from verifier.cli import main

SCAM = "【京东金融】您的白条账户存在异常，需注销学生账户，否则影响征信。请将剩余额度转入安全账户6222 0212 3456 7890 123。"
GENUINE = "【招商银行】您尾号6688的信用卡本期账单5,680.12元，到期还款日07月25日。如已还款请忽略。"


def test_check_text_zh(capsys):
    assert main(["check", SCAM]) == 0
    out = capsys.readouterr().out
    assert "诈骗" in out and "建议" in out and "依据" in out
    assert "[" in out  # the evidence span is marked in the message


def test_check_text_en(capsys):
    assert main(["check", SCAM, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "scam" in out and "What to do" in out


def test_check_json(capsys):
    assert main(["check", GENUINE, "--json", "--sender", "95555", "--time", "2026-11-20T10:40"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["label"] in ("legitimate", "suspicious")
    for e in d["evidence"]:
        if e["start"] is not None:
            assert GENUINE[e["start"]:e["end"]] == e["quote"]


def test_explain_trace(capsys):
    assert main(["check", SCAM, "--explain"]) == 0
    out = capsys.readouterr().out
    assert "decided_by" in out and "model p" in out


def test_stdin(monkeypatch, capsys):
    import io

    class FakeStdin:
        buffer = io.BytesIO((SCAM + "\n第二行").encode("utf-8"))

        def isatty(self):
            return False

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    assert main(["check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["label"] == "scam"


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_exit_2(text, capsys):
    assert main(["check", text]) == 2
    assert "empty" in capsys.readouterr().err


def test_file_jsonl_txt_csv_xml(tmp_path, capsys):
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": SCAM, "id": "m1"}, ensure_ascii=False) + "\n\n" + json.dumps({"text": GENUINE, "sender": "95555"}, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text(SCAM + "\n\n" + GENUINE + "\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("text,sender\n\"" + SCAM + "\",17012345678\n\"" + GENUINE + "\",95555\n", encoding="utf-8")
    (tmp_path / "a.xml").write_text('<?xml version="1.0" encoding="UTF-8"?><smses count="2">'
                                    f'<sms address="106" date="1732000000000" type="1" body="{SCAM}" />'
                                    f'<sms address="95555" date="1732000000000" type="1" body="{GENUINE}" /></smses>', encoding="utf-8")
    for name in ("a.jsonl", "a.txt", "a.csv", "a.xml"):
        assert main(["check", "-f", str(tmp_path / name)]) == 0, name
        lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        assert len(lines) == 2, name
        assert lines[0]["label"] == "scam"


def test_file_with_broken_encoding_names_the_line(tmp_path, capsys):
    p = tmp_path / "bad.txt"
    p.write_bytes(SCAM.encode() + b"\n" + "逾期".encode("gbk") + b"\xff\xfe\n" + GENUINE.encode() + b"\n")
    assert main(["check", "-f", str(p)]) == 0
    cap = capsys.readouterr()
    assert len(cap.out.splitlines()) == 2
    assert "bad.txt: line 2" in cap.err


def test_missing_file(capsys):
    assert main(["check", "-f", "/nonexistent/inbox.jsonl"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_console_script_from_another_directory(tmp_path):
    r = subprocess.run([sys.executable, "-m", "verifier.cli", "check", "--json", SCAM], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["label"] == "scam"
    assert r.stderr == ""  # no jieba / tldextract noise
