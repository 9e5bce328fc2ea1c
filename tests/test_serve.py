"""`verifier serve`: the JSON API, the upload of each inbox format, bad input (never a 500), the
static files (nothing external), and no message text in the logs."""
import io
import json
import logging
import re
import socket
from pathlib import Path

import pytest

from starlette.testclient import TestClient

from verifier import serve
from verifier.serve import MAX_UPLOAD, create_app

SCAM = "【京东金融】您的白条账户存在异常，需注销学生账户，否则影响征信。请将剩余额度转入安全账户6222 0212 3456 7890 123。"
EMOJI_SCAM = "😀😀 " + SCAM  # code points ≠ UTF-16 units: offsets must still be exact
GENUINE = "【招商银行】您尾号6688的信用卡本期账单5,680.12元，最低还款568.01元，到期还款日07月25日。如已还款请忽略。"
ABUSIVE = "你个老赖，欠钱不还还有脸吗？今天不还款我们就爆你通讯录，通知你全家和单位同事，让你在村里抬不起头！请立即登录官方App还款。"
LABELS = {"scam", "abusive", "suspicious", "legitimate"}
STATIC = Path(serve.__file__).parent / "static"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def assert_verdict(d: dict, text: str) -> None:
    assert d["label"] in LABELS
    assert 0.0 <= d["confidence"] <= 1.0
    assert d["summary"] and isinstance(d["advice"], list)
    assert {"lender", "decided_by", "probabilities"} <= set(d)
    for e in d["evidence"]:
        assert {"signal", "start", "end", "quote", "prior", "learned", "explanation", "label"} <= set(e)
        if e["start"] is not None:
            assert text[e["start"]:e["end"]] == e["quote"]


def assert_error(r, *statuses):
    assert r.status_code in statuses, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text
    return body


# ---- /api/check ---------------------------------------------------------------------------------
def test_check_scam(client):
    r = client.post("/api/check", json={"text": SCAM})
    assert r.status_code == 200
    d = r.json()
    assert_verdict(d, SCAM)
    assert d["label"] == "scam"
    assert any(e["quote"] == "安全账户" for e in d["evidence"])


def test_check_is_verdict_to_dict(client):
    from verifier import check

    d = client.post("/api/check", json={"text": GENUINE, "sender": "95555"}).json()
    want = check(GENUINE, sender="95555").to_dict()
    assert d == want  # one shape for the CLI, the API and the page
    assert all("label" in e for e in d["evidence"]) and set(d["decision"]) == {"by", "rule"}


def test_check_offsets_are_code_points(client):
    d = client.post("/api/check", json={"text": EMOJI_SCAM}).json()
    assert_verdict(d, EMOJI_SCAM)
    assert any(e["start"] is not None for e in d["evidence"])


def test_check_english_sender_time(client):
    r = client.post("/api/check", json={"text": SCAM, "sender": "13812345678", "received_at": "2026-11-20T23:40", "lang": "en"})
    assert r.status_code == 200
    d = r.json()
    assert d["label"] == "scam"
    assert "fraud" in d["summary"] or d["summary"].isascii()


def test_check_lang_query(client):
    d = client.post("/api/check?lang=en", json={"text": SCAM}).json()
    assert "fraud" in d["summary"] and any("Never" in a for a in d["advice"])


def test_check_numeric_sender_and_ms_time(client):
    r = client.post("/api/check", json={"text": GENUINE, "sender": 95555, "received_at": 1763600000000})
    assert r.status_code == 200
    assert_verdict(r.json(), GENUINE)


def test_check_lone_surrogate_no_500(client):
    r = client.post("/api/check", content=b'{"text": "\\ud800' + SCAM.encode() + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 200
    assert r.json()["label"] in LABELS


# ---- /api/check_many ----------------------------------------------------------------------------
def test_check_many(client):
    r = client.post("/api/check_many", json={"messages": [SCAM, {"text": GENUINE, "sender": "95555"}, {"text": ABUSIVE}]})
    assert r.status_code == 200
    res = r.json()["results"]
    assert [x["label"] for x in res][0] == "scam"
    assert len(res) == 3
    for x, t in zip(res, [SCAM, GENUINE, ABUSIVE]):
        assert_verdict(x, t)


def test_check_many_empty_list_and_empty_text(client):
    assert client.post("/api/check_many", json={"messages": []}).json() == {"results": []}
    res = client.post("/api/check_many", json={"messages": ["", SCAM]}).json()["results"]
    assert res[0]["decided_by"] == "empty" and res[1]["label"] == "scam"


@pytest.mark.parametrize("body", [
    {"messages": "not a list"}, {"messages": [1]}, {"messages": [{"sender": "95555"}]},
    {"messages": [{"text": 5}]}, {"messages": [{"text": "x", "sender": ["a"]}]}, {}, {"messages": [None]},
    {"messages": [SCAM], "lang": "fr"},
])
def test_check_many_bad(client, body):
    assert_error(client.post("/api/check_many", json=body), 400, 422)


def test_check_many_too_many(client, monkeypatch):
    monkeypatch.setattr(serve, "MAX_MESSAGES", 3)
    assert_error(client.post("/api/check_many", json={"messages": ["a"] * 4}), 413)


# ---- bad input on /api/check ------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200b\u200b"])
def test_empty_paste_400(client, text):
    body = assert_error(client.post("/api/check", json={"text": text}), 400)
    assert body["code"] == "empty_text" and "空" in body["error"]
    body = assert_error(client.post("/api/check?lang=en", json={"text": text}), 400)
    assert "empty" in body["error"]


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b"\xff\xfe\x00", b"[1, 2]", b'"text"', b"null", b"[" * 100000])
def test_invalid_json(client, raw):
    assert_error(client.post("/api/check", content=raw, headers={"content-type": "application/json"}), 400, 422)


@pytest.mark.parametrize("body", [
    {}, {"sender": "95555"}, {"text": 5}, {"text": None}, {"text": ["a"]}, {"text": {"a": 1}},
    {"text": SCAM, "sender": {"x": 1}}, {"text": SCAM, "sender": True}, {"text": SCAM, "received_at": [1]},
    {"text": SCAM, "lang": "fr"}, {"text": SCAM, "lang": 1},
])
def test_bad_fields(client, body):
    assert_error(client.post("/api/check", json=body), 400, 422)


def test_wrong_content_type_still_json_error(client):
    assert_error(client.post("/api/check", data={"text": SCAM}), 400, 422)


def test_huge_json_413(client):
    assert_error(client.post("/api/check", json={"text": "催" * (3 * 1024 * 1024)}), 413)


def test_not_found_and_method(client):
    assert_error(client.get("/api/nothing"), 404)
    assert_error(client.get("/api/check"), 405)
    assert_error(client.get("/static/nothing.js"), 404)


# ---- /api/upload ---------------------------------------------------------------------------------
XML = ("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"3\">\n"
       f"<sms protocol=\"0\" address=\"10690000\" date=\"1763600000000\" type=\"1\" body=\"{SCAM}\" />\n"
       f"<sms protocol=\"0\" address=\"95555\" date=\"1763600100000\" type=\"1\" body=\"{GENUINE}\" />\n"
       "<sms protocol=\"0\" address=\"13800000000\" date=\"1763600200000\" type=\"1\" body=\"哈哈 &#55357;&#56832; "
       f"{ABUSIVE}\" />\n</smses>\n")


def upload(client, name, payload: bytes, **kw):
    return client.post("/api/upload", files={"file": (name, payload, "application/octet-stream")}, **kw)


def check_upload_ok(r, n):
    assert r.status_code == 200, r.text
    d = r.json()
    assert set(d) == {"results", "counts", "problems"}
    assert len(d["results"]) == n
    assert set(d["counts"]) == LABELS and sum(d["counts"].values()) == n
    for x in d["results"]:
        assert_verdict(x, x["text"])
        assert {"text", "sender", "line"} <= set(x)
    return d


def test_upload_xml(client):
    d = check_upload_ok(upload(client, "sms-20261120.xml", XML.encode()), 3)
    assert d["problems"] == []
    scam = d["results"][0]
    assert scam["label"] == "scam" and scam["sender"] == "10690000" and scam["line"] == 1
    assert "😀" in d["results"][2]["text"]  # SMS Backup & Restore's surrogate pairs are joined
    assert d["counts"]["scam"] >= 1


def test_upload_jsonl(client):
    data = "\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"text": SCAM, "sender": "10690000"}, {"body": GENUINE, "address": "95555", "date": 1763600000000}, ABUSIVE]) + "\n"
    d = check_upload_ok(upload(client, "inbox.jsonl", data.encode()), 3)
    assert d["results"][1]["sender"] == "95555" and d["results"][1]["line"] == 2


def test_upload_csv(client):
    data = f'text,sender,received_at\n"{SCAM}",10690000,2026-11-20 23:40\n"{GENUINE}",95555,\n'
    d = check_upload_ok(upload(client, "inbox.csv", data.encode("utf-8-sig")), 2)
    assert d["results"][0]["label"] == "scam" and d["results"][0]["received_at"] == "2026-11-20 23:40"


def test_upload_txt(client):
    d = check_upload_ok(upload(client, "inbox.txt", f"{SCAM}\n\n{GENUINE}\r\n{ABUSIVE}".encode()), 3)
    assert [x["line"] for x in d["results"]] == [1, 3, 4]


def test_upload_english(client):
    d = check_upload_ok(upload(client, "inbox.txt", SCAM.encode(), data={"lang": "en"}), 1)
    assert "fraud" in d["results"][0]["summary"]


def test_upload_malformed_xml_keeps_good_messages(client):
    broken = XML.replace("</smses>", "<sms body=\"unclosed </smses>")
    d = check_upload_ok(upload(client, "broken.xml", broken.encode()), 3)
    assert d["problems"] and "malformed XML" in d["problems"][0]
    d = check_upload_ok(upload(client, "garbage.xml", b"\x00\x01 not xml at all"), 0)
    assert d["problems"]


def test_upload_wrong_encoding(client):
    data = SCAM.encode() + b"\n" + GENUINE.encode("gb18030") + b"\n" + ABUSIVE.encode() + b"\n"
    d = check_upload_ok(upload(client, "inbox.txt", data), 3)  # the GBK line is read, not dropped
    assert len(d["problems"]) == 1 and "第 2 行" in d["problems"][0] and "GBK" in d["problems"][0]  # said in the page's language
    assert d["results"][1]["text"] == GENUINE


def test_upload_bad_jsonl_lines(client):
    data = f'{json.dumps({"text": SCAM})}\n{{oops\n[1]\n{{"sender": "1"}}\n'.encode()
    d = check_upload_ok(upload(client, "x.jsonl", data), 1)
    assert len(d["problems"]) == 3


def test_upload_empty_file(client):
    d = check_upload_ok(upload(client, "empty.txt", b""), 0)
    assert d["problems"]


def test_upload_problems_capped(client):
    data = b"\xff\xfe bad\n" * 500 + SCAM.encode()
    d = check_upload_ok(upload(client, "bad.txt", data), 1)
    assert len(d["problems"]) <= serve.MAX_PROBLEMS + 1


def test_upload_message_cap(client, monkeypatch):
    monkeypatch.setattr(serve, "MAX_UPLOAD_MESSAGES", 2)
    d = check_upload_ok(upload(client, "inbox.txt", f"{SCAM}\n{GENUINE}\n{ABUSIVE}\n".encode()), 2)
    assert any("only the first 2" in p for p in d["problems"])


def test_upload_unknown_type(client):
    assert_error(upload(client, "photo.png", b"\x89PNG\r\n"), 415)


def test_upload_without_file(client):
    assert_error(client.post("/api/upload", data={"lang": "zh"}), 400)
    assert_error(client.post("/api/upload", json={"text": SCAM}), 400)
    assert_error(client.post("/api/upload"), 400)


def test_upload_malformed_multipart(client):
    assert_error(client.post("/api/upload", content=b"--zz\r\ngarbage",
                             headers={"content-type": "multipart/form-data; boundary=zz"}), 400)
    assert_error(client.post("/api/upload", content=b"x", headers={"content-type": "multipart/form-data"}), 400)


def test_upload_too_large(client):
    body = assert_error(upload(client, "big.txt", b"a" * (MAX_UPLOAD + 1)), 413)
    assert "20 MB" in body["error"]


def test_upload_hundreds_of_messages(client):
    data = (SCAM + "\n").encode()
    data = data * 400  # a realistic inbox
    d = check_upload_ok(upload(client, "inbox.txt", data), 400)
    assert d["counts"]["scam"] == 400


def _multipart(chunks):
    yield b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n"
    yield from chunks


def test_upload_too_large_streamed(client):
    """No Content-Length (chunked): the limit stops the reading, the body is never kept whole."""
    chunk = b"a" * (1 << 20)
    r = client.post("/api/upload", content=_multipart(chunk for _ in range(25)),
                    headers={"content-type": "multipart/form-data; boundary=BOUNDARY"})
    assert_error(r, 413)


def test_upload_limit_enforced_while_reading():
    """At the ASGI level, with an endless body: the app answers 413 after reading a bounded amount."""
    import asyncio

    app = create_app()
    pulled = 0
    head = b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\n"

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": head if pulled == 1 else b"a" * (1 << 20), "more_body": True}

    sent = []

    async def send(msg):
        sent.append(msg)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/upload", "raw_path": b"/api/upload", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"multipart/form-data; boundary=B")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8765)}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 60))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert pulled < (MAX_UPLOAD + serve._DRAIN_LIMIT) / (1 << 20) + 10


def test_upload_declared_too_large(client):
    r = client.post("/api/upload", content=b"--B\r\n", headers={
        "content-type": "multipart/form-data; boundary=B", "content-length": str(MAX_UPLOAD * 3)})
    assert_error(r, 413)


def test_upload_filename_paths_ignored(client):
    r = upload(client, "../../etc/inbox.txt", SCAM.encode())
    assert r.status_code == 200


# ---- read_stream: the in-memory variant of read_messages ----------------------------------------
def test_read_stream_matches_read_messages(tmp_path):
    from verifier.inbox import read_messages, read_stream

    for name, data in [("a.xml", XML.encode()), ("a.txt", f"{SCAM}\n{GENUINE}\n".encode()),
                       ("a.csv", f"text,sender\n{SCAM},95555\n".encode()), ("a", XML.encode()), ("b", b"hello\n")]:
        p = tmp_path / name
        p.write_bytes(data)
        assert list(read_stream(io.BytesIO(data), name)) == list(read_messages(str(p)))


def test_read_stream_surrogate_pairs_split_anywhere():
    from verifier.inbox import read_stream

    data = XML.encode()

    class Trickle(io.BytesIO):
        def __init__(self, b, n):
            super().__init__(b)
            self.n = n

        def read(self, size=-1):
            return super().read(self.n)

    for n in (1, 3, 7, 8, 9, 15, 16, 17, 100):
        msgs = [m for _, m in read_stream(Trickle(data, n), "x.xml")]
        assert len(msgs) == 3 and msgs[2]["text"].startswith("哈哈 😀 "), n


# ---- static files, headers, no external URLs ------------------------------------------------------
def test_index_and_static(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert 'id="text"' in r.text and "/static/app.js" in r.text
    for name, ctype in [("app.js", "javascript"), ("style.css", "text/css"), ("index.html", "text/html")]:
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and ctype in r.headers["content-type"], name
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp


def test_security_headers_on_api(client):
    r = client.post("/api/check", json={"text": SCAM})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in r.headers


def test_no_external_urls_in_static_files():
    files = [p for p in STATIC.iterdir() if p.is_file()]
    assert {"index.html", "app.js", "style.css"} <= {p.name for p in files}
    for p in files:
        text = p.read_text("utf-8")
        assert not re.search(r"https?://", text, re.I), p.name
        assert "//cdn" not in text and "@import" not in text and "googleapis" not in text, p.name


def test_static_files_are_package_data():
    import tomllib

    pj = tomllib.loads((Path(serve.__file__).parent.parent / "pyproject.toml").read_text("utf-8"))
    assert "*" in pj["tool"]["setuptools"]["package-data"]["verifier.static"]


@pytest.mark.parametrize("base,ok", [("http://127.0.0.1:8765", True), ("http://127.0.0.2:9000", True), ("http://localhost:8765", True),
                                     ("http://[::1]:8765", True), ("http://evil.example", False), ("http://192.168.1.5:8765", False)])
def test_only_this_computer_may_be_addressed(base, ok):
    """The Host check covers all of 127.0.0.0/8, ::1 and localhost (DNS rebinding is refused)."""
    with TestClient(create_app(local_only=True), base_url=base) as c:
        assert (c.post("/api/check", json={"text": SCAM}).status_code == 200) is ok


@pytest.mark.parametrize("headers,ok", [
    ({}, True),                                                    # a local script (curl, Python)
    ({"origin": "http://127.0.0.1:8765"}, True),                   # the page itself
    ({"origin": "http://localhost:3000"}, False),                  # another local server's page
    ({"origin": "null"}, False),                                   # a file:// or sandboxed page
    ({"sec-fetch-site": "cross-site"}, False),                     # a no-cors POST from elsewhere
    ({"sec-fetch-site": "same-site", "origin": "http://127.0.0.1:9999"}, False),
])
def test_every_post_checks_its_origin(headers, ok):
    with TestClient(create_app(local_only=True), base_url="http://127.0.0.1:8765") as c:
        for path, kw in (("/api/check", {"json": {"text": SCAM}}), ("/api/check_many", {"json": {"messages": [SCAM]}}),
                         ("/api/upload", {"files": {"file": ("a.txt", SCAM.encode(), "text/plain")}})):
            r = c.post(path, headers=headers, **kw)
            assert (r.status_code == 200) is ok, (path, r.status_code, r.text)
            if not ok:
                assert r.status_code == 403 and r.json()["code"] == "cross_origin"


def test_uploads_at_once_are_bounded(monkeypatch):
    from verifier import serve as srv

    held = [srv._uploads.acquire(blocking=False) for _ in range(srv.UPLOADS_AT_ONCE)]
    try:
        with TestClient(create_app()) as c:
            r = c.post("/api/upload", files={"file": ("a.txt", SCAM.encode(), "text/plain")})
            assert r.status_code == 503 and r.json()["code"] == "busy"
    finally:
        for h in held:
            if h:
                srv._uploads.release()


def test_uploads_never_touch_the_disk(client, monkeypatch):
    import tempfile

    def no_disk(*a, **k):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_disk)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_disk)
    monkeypatch.setattr(tempfile, "mkstemp", no_disk)
    big = ("\n".join([SCAM] * 30_000)).encode()  # ~3 MB: above Starlette's 1 MB spool threshold
    r = client.post("/api/upload", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 200, r.text


def test_internal_error_is_json_without_traceback(monkeypatch, caplog):
    def boom(*a, **k):
        raise RuntimeError("secret " + SCAM)

    monkeypatch.setattr(serve, "check", boom)
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        with caplog.at_level(logging.DEBUG):
            r = c.post("/api/check", json={"text": SCAM})
    body = assert_error(r, 500)
    assert SCAM not in r.text and "RuntimeError" not in r.text and body["code"] == "internal"
    assert SCAM not in caplog.text


def test_model_error_is_503(monkeypatch):
    from verifier.model import ModelError

    def broken(*a, **k):
        raise ModelError("models/verifier.joblib is missing")

    monkeypatch.setattr(serve, "check", broken)
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        assert_error(c.post("/api/check", json={"text": SCAM}), 503)


def test_no_message_text_in_logs(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post("/api/check", json={"text": SCAM})
        client.post("/api/check_many", json={"messages": [SCAM]})
        upload(client, "inbox.txt", SCAM.encode() + b"\n\xff\xfe" + SCAM.encode())
        client.post("/api/upload", content=b"--zz\r\n" + SCAM.encode(), headers={"content-type": "multipart/form-data; boundary=zz"})
    assert SCAM[:10] not in caplog.text and "京东" not in caplog.text


# ---- run(): binding -------------------------------------------------------------------------------
def test_run_port_in_use(capsys):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        assert serve.run(port=s.getsockname()[1]) == 2
    finally:
        s.close()
    assert "another --port" in capsys.readouterr().err


def test_upload_answer_is_streamed_and_counts_come_last(client):
    data = "\n".join([SCAM, GENUINE] * 300).encode()
    r = client.post("/api/upload", files={"file": ("many.txt", data, "text/plain")})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.text.startswith('{"results": [') and r.text.index('"counts"') > r.text.rindex('"label"')
    d = r.json()
    assert len(d["results"]) == 600 and d["counts"]["scam"] >= 300


def test_the_page_reads_the_vocabulary_from_the_package(client):
    import json as _json

    from verifier import vocabulary

    r = client.get("/vocabulary.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    prefix = "window.VERIFIER_VOCABULARY = "
    assert r.text.startswith(prefix)
    v = _json.loads(r.text[len(prefix):].rstrip().rstrip(";"))
    assert v["labels"] == ["scam", "abusive", "suspicious", "legitimate"]
    assert v["severity"] == vocabulary.SEVERITY and v["label_names"] == vocabulary.LABEL_NAMES
    assert '<script src="/vocabulary.js"' in client.get("/").text
