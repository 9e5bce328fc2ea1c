"""Text that is not UTF-8 is decoded (GBK/GB18030, UTF-16 with a BOM) or refused in one
sentence — never judged as replacement characters; the borrower's own sent messages are not
judged; a file with no messages says so."""
import json
import subprocess
import sys

import pytest

from verifier import check
from verifier.cli import main
from verifier.inbox import UNDECODABLE, decode_bytes, read_messages

SCAM = "您好，您的账户涉嫌洗钱，请立即转入安全账户6222021234567890123配合调查"
GENUINE = "【招商银行】您尾号6688的信用卡本期账单5,680.12元，到期还款日07月25日。如已还款请忽略。"


@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_decode_bytes(enc):
    assert decode_bytes(SCAM.encode(enc)) == SCAM


def test_undecodable_bytes_are_refused():
    with pytest.raises(ValueError, match="UTF-8"):
        decode_bytes(b"\xff\xfe\x00")  # a UTF-16 mark and half a character
    with pytest.raises(ValueError):
        check(b"\xff\xfe\x00")


def test_gbk_scam_on_stdin_is_judged_as_a_scam():
    r = subprocess.run([sys.executable, "-m", "verifier", "check", "--json"], input=SCAM.encode("gbk"),
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    assert json.loads(r.stdout)["label"] == "scam"


def test_undecodable_stdin_says_so_in_one_sentence():
    r = subprocess.run([sys.executable, "-m", "verifier", "check"], input=b"\xfe\xff\x00", capture_output=True, timeout=120)
    assert r.returncode == 2 and not r.stdout
    assert UNDECODABLE in r.stderr.decode() and "Traceback" not in r.stderr.decode()


def _collect(path):
    problems = []
    rows = [m for _, m in read_messages(str(path), on_problem=problems.append)]
    return rows, problems


def test_gbk_csv_from_excel_is_read(tmp_path):
    p = tmp_path / "inbox.csv"
    p.write_bytes(("短信内容,发件人\r\n" + "\r\n".join(f"{t},95555" for t in [SCAM, GENUINE] * 10) + "\r\n").encode("gbk"))
    rows, problems = _collect(p)
    assert len(rows) == 20 and rows[0]["text"] == SCAM
    assert len(problems) == 1 and "GBK" in problems[0]


def test_utf16_text_file_is_read(tmp_path):
    p = tmp_path / "inbox.txt"
    p.write_bytes(f"{SCAM}\r\n{GENUINE}\r\n".encode("utf-16"))
    rows, problems = _collect(p)
    assert [r["text"] for r in rows] == [SCAM, GENUINE] and not problems


def test_sent_messages_in_a_backup_are_not_judged(tmp_path, capsys):
    p = tmp_path / "sms.xml"
    p.write_text("<?xml version='1.0' encoding='UTF-8'?><smses count=\"2\">"
                 f"<sms address=\"95555\" date=\"1763600000000\" type=\"1\" body=\"{GENUINE}\" />"
                 "<sms address=\"13800000000\" date=\"1763600100000\" type=\"2\" body=\"请不要联系我家人，我下周一定还\" />"
                 "</smses>", encoding="utf-8")
    rows, problems = _collect(p)
    assert [r["text"] for r in rows] == [GENUINE]
    assert any("you sent" in m for m in problems)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_a_file_with_no_messages_says_so(tmp_path, capsys, content):
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    assert main(["check", "-f", str(p), "--no-progress"]) == 2
    assert "no messages" in capsys.readouterr().err
