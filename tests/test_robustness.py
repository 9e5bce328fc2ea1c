"""No input crashes verifier: fuzzed Unicode, control characters, lone surrogates, binary junk,
huge texts, odd numbers and URLs — always a valid label or the documented ValueError."""
import json
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from verifier import check, check_many
from verifier.checker import no_surrogates
from verifier.inbox import UNDECODABLE, decode_bytes

LABELS = {"legitimate", "suspicious", "abusive", "scam"}


def _ok(text, **kw):
    try:
        v = check(text, **kw)
    except ValueError as e:
        assert "empty" in str(e) or (isinstance(text, bytes) and str(e) == UNDECODABLE)
        return None
    assert v.label in LABELS
    d = v.to_dict()
    ref = decode_bytes(text) if isinstance(text, bytes) else no_surrogates(text)  # a lone surrogate reads as U+FFFD
    for e in d["evidence"]:
        if e["start"] is not None:
            assert e["quote"] == ref[e["start"]:e["end"]]
    return v


junk = st.text(alphabet=st.characters(blacklist_categories=()), max_size=300)
smsish = st.lists(st.sampled_from(["【京东金融】", "征 信 修 复", "http://", "1.2.3.4", ".top/", "95588", "+852", "１３８", "爆.通.讯.录",
                                   "\u200b", "\ud800", "\x00", "元", "尾号", "6222 0212 3456 7890", "qq", "。", "\n", "回T退订", "xn--", "0" * 30]),
                  max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(junk, smsish), st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["95588", "+852", "00", "1069", "abc", "１７０１２３４５６７８"])),
       st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["2026-11-20T23:40", "25:99", "0", "-1", "1732000000000"])))
def test_fuzz_check(text, sender, when):
    _ok(text, sender=sender, received_at=when)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=400))
def test_binary_junk(data):
    _ok(data.decode("utf-8", errors="replace"))
    _ok(data)


@pytest.mark.parametrize("text", [
    "1" * 100_000,
    "http://" + "a." * 5000 + "com",
    "+" + "8" * 5000,
    "【" * 10_000,
    "\ud800" * 1000 + "逾期",
    "1.1.1.1.1.1.1.1.1.1.1.1.1.1",
    "www." * 3000,
])
def test_pathological(text):
    t = time.perf_counter()
    _ok(text)
    assert time.perf_counter() - t < 5


def test_one_megabyte_in_bounded_time():
    text = ("【京东金融】您的白条已逾期，请登录App还款。征 信 修 复 加QQ12345678 " * 20_000)[:1_000_000]
    _ok(text)  # warm
    t = time.perf_counter()
    v = _ok(text)
    assert time.perf_counter() - t < 2.0
    assert v.notes  # says only the start was analysed


def test_ten_megabytes():
    _ok("逾期" * 5_000_000)


def test_check_many_survives_bad_items():
    out = list(check_many(["", None, 123, b"\xff\xfe", "正常的短信【招商银行】您的账单已出"]))
    assert len(out) == 5 and all(v.label in LABELS for v in out)


def test_cli_streams_a_50mb_file_in_constant_memory(tmp_path):
    p = tmp_path / "big.txt"
    line = ("【京东金融】您的白条已逾期，请登录App还款。" * 50_000)[:1_000_000].encode()
    with open(p, "wb") as f:
        for i in range(50):
            f.write(line + b"\n")
            if i == 10:
                f.write(b"\xff\xfe broken line\n\n\n")
    assert p.stat().st_size > 50_000_000
    script = ("import resource,sys;from verifier.cli import main;rc=main(['check','-f',sys.argv[1],'--no-progress']);"
              "sys.stderr.write('RSS=%d\\n'%resource.getrusage(resource.RUSAGE_SELF).ru_maxrss);sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", script, str(p)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    assert len(lines) == 50 and all(json.loads(x)["label"] in LABELS for x in lines)
    assert "line 12" in r.stderr
    rss_mb = int(r.stderr.rsplit("RSS=", 1)[1]) / 1024
    assert rss_mb < 500, rss_mb
