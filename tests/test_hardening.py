"""One bad line never costs the file: every upload format, fed the inputs that once gave 500s and
tracebacks (and fuzzed), yields the good lines and a problem per bad one, all strict JSON."""
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from verifier.cli import main
from verifier.inbox import read_stream


@pytest.fixture(scope="module")
def client():
    from starlette.testclient import TestClient

    from verifier.serve import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c

GOOD = "您的借款已逾期，请登录App还款"
CASES = {
    "surrogate.jsonl": b'{"text": "\\ud800\xe8\xaf\xb7\xe8\xbf\x98\xe6\xac\xbe", "id": NaN, "time": Infinity}\n' + ('{"text": "%s"}\n' % GOOD).encode(),
    "nan-time.jsonl": ('{"text": "%s", "time": NaN, "id": -Infinity}\n{"text": "%s"}\n' % (GOOD, GOOD)).encode(),
    "bigint.jsonl": ('{"text": "%s", "time": %s}\n{"text": "%s"}\n' % (GOOD, "9" * 5000, GOOD)).encode(),
    "deep.jsonl": b"[" * 1500 + b"]" * 1500 + ('\n{"text": "%s"}\n' % GOOD).encode(),
    "long-field.csv": ('text,sender\n"%s",95555\n%s,95588\n' % ("x" * 140_000, GOOD)).encode(),
    "unclosed-quote.csv": ('text,sender\n"never closed,1\n' + "".join(f"{GOOD}{i},95555\n" for i in range(60))).encode(),
    "cr-only.csv": ("text,sender\r%s,95555\r%s,95588\r" % (GOOD, GOOD)).encode(),
}


def _strict(obj):
    json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8")


@pytest.mark.parametrize("name", CASES)
def test_bad_lines_cost_only_themselves(name):
    problems = []
    rows = list(read_stream(io.BytesIO(CASES[name]), name, problems.append))
    assert any(m["text"].startswith(GOOD) for _, m in rows), (rows[:2], problems)
    for meta, m in rows:
        _strict(meta)
        _strict(m)


@pytest.mark.parametrize("name", CASES)
def test_upload_answers_200_with_the_good_lines(client, name):
    r = client.post("/api/upload", files={"file": (name, CASES[name], "application/octet-stream")})
    assert r.status_code == 200, r.text
    d = r.json()
    assert any(x["text"].startswith(GOOD) for x in d["results"])


@pytest.mark.parametrize("name", CASES)
def test_cli_prints_the_good_lines_and_no_traceback(tmp_path, capsys, name):
    p = tmp_path / name
    p.write_bytes(CASES[name])
    assert main(["check", "-f", str(p), "--no-progress", "--json"]) == 0
    out = capsys.readouterr()
    lines = [json.loads(x, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}")) for x in out.out.splitlines()]
    assert lines and "Traceback" not in out.err


def test_check_many_api_bare_string_with_lone_surrogate(client):
    r = client.post("/api/check_many", content=json.dumps({"messages": ["请还款\ud800到6222021234567890123"]}).encode(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["results"][0]["label"] in {"scam", "suspicious", "abusive", "legitimate"}


lines = st.lists(st.one_of(st.text(max_size=60), st.sampled_from(['"', '""', "{", "[", "NaN", "\r", "\ud800", "9" * 50, ","])),
                 max_size=12).map(lambda xs: "\n".join(xs))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines, st.sampled_from(["x.jsonl", "x.csv", "x.txt", "x.json", "x.xml"]), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_fuzzed_files_never_raise(content, name, enc):
    data = content.encode(enc, errors="surrogatepass" if enc == "utf-8" else "replace")
    problems = []
    for meta, m in read_stream(io.BytesIO(data), name, problems.append):
        _strict(meta)
        assert isinstance(m["text"], str)


# VmHWM is this process's own high-water mark (ru_maxrss would include the forked test runner's memory)
_PEAK = ("import resource, sys\nfrom verifier.cli import main\ntry:\n    rc = main(sys.argv[1:])\nfinally:\n"
         "    try:\n        kb = int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])\n"
         "    except (OSError, IndexError):\n        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
         "    sys.stderr.write('PEAK %d\\n' % kb)\nsys.exit(rc)\n")


def _run_peak_mb(args, stdin=None, timeout=300):
    """Run the CLI in a child that reports its own peak resident memory (MB)."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", _PEAK, *args], stdin=stdin, capture_output=True, timeout=timeout)
    peak = int(r.stderr.decode().rsplit("PEAK ", 1)[1].split()[0]) / 1024
    return r, peak


def test_cli_memory_is_bounded_for_huge_lines_and_endless_input(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "w", encoding="utf-8") as f:
        for i in range(40):  # 40 lines of 1 MB each
            f.write(("请把钱转到6222021234567890123配合调查" + "啊" * 340_000)[: 350_000] + "\n")
    r, peak = _run_peak_mb(["check", "-f", str(p), "--json", "--no-progress"])
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 40, r.stderr[-500:]
    assert peak < 300, peak
    with open("/dev/zero", "rb") as zero:
        r, peak = _run_peak_mb(["check"], stdin=zero)
    assert r.returncode == 2 and b"Traceback" not in r.stderr and peak < 300
    r, peak = _run_peak_mb(["check", "-f", "/dev/zero", "--json", "--no-progress"])
    assert r.returncode == 2 and b"64 MB" in r.stderr and peak < 300


def test_xml_nesting_size_and_calls_backups_are_bounded(tmp_path, capsys):
    deep = b"<smses>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</smses>"
    problems = []
    assert list(read_stream(io.BytesIO(deep), "deep.xml", problems.append)) == []
    assert any("nested" in p for p in problems)
    huge = b'<smses><sms type="1" address="95555" body="' + b"x" * (3 << 20) + b'"/></smses>'
    problems = []
    assert list(read_stream(io.BytesIO(huge), "huge.xml", problems.append)) == []
    assert any("2 MB" in p for p in problems)
    calls = tmp_path / "calls.xml"
    calls.write_text("<calls>" + '<call number="10086" duration="12" type="1"/>' * 2000 + "</calls>", encoding="utf-8")
    assert main(["check", "-f", str(calls), "--no-progress", "--json"]) == 2
    err = capsys.readouterr().err
    assert "no SMS" in err and "no message" in err


SCAM_TAIL = "请把钱转到安全账户6222021234567890123配合调查"


@pytest.mark.parametrize("text", [
    "\u200b" * 20_000 + SCAM_TAIL,                                             # invisible padding
    "【招商银行】您尾号6688的信用卡本期账单5,680.12元，到期还款日07月25日。如已还款请忽略。" * 400 + "\n" + SCAM_TAIL,  # a genuine bill in front
    "【招商银行】您尾号6688的信用卡本期账单5,680.12元。" * 2000 + SCAM_TAIL,       # glued on, no line break
])
def test_hidden_or_buried_scams_are_still_found(text):
    from verifier import check

    v = check(text)
    assert v.label == "scam", (v.label, v.decided_by, [e.signal for e in v.evidence][:5])


def test_right_to_left_override_is_read_as_shown_and_is_evidence():
    from verifier import check

    plain = "您的借款账户异常，请登录 csic-bk-hfk.top 核实"
    hidden = "您的借款账户异常，请登录 \u202epot.kfh-kb-cisc\u202c 核实"
    assert check(hidden).label != "legitimate"
    v = check(hidden)
    assert any(e.signal == "hidden_direction_control" for e in v.evidence)
    assert check(plain).label == check(hidden).label or check(hidden).label in ("scam", "suspicious")
    for e in v.evidence:
        if e.start is not None:
            assert hidden[e.start:e.end] == e.quote


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40)),
                           lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.sampled_from(["text", "sender", "received_at", "lang", "x"]), kids, max_size=4),
                           max_leaves=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(json_values, st.fixed_dictionaries({"messages": st.lists(json_values, max_size=5)})), st.sampled_from(["/api/check", "/api/check_many"]))
def test_api_never_answers_500(client, payload, path):
    body = json.dumps(payload, allow_nan=True).encode("utf-8", "surrogatepass")
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code < 500, (r.status_code, r.text[:200])
    r.json()  # always a JSON answer
