"""``verifier serve``: a local web page (paste one SMS, or upload a whole inbox) and its JSON API.

    GET  /                the page (static/index.html, app.js, style.css; nothing from the internet)
    POST /api/check       {"text", "sender"?, "received_at"?, "lang"?}        -> Verdict.to_dict()
    POST /api/check_many  {"messages": [{"text", ...} | "text", ...], "lang"?} -> {"results": [...]}
    POST /api/upload      multipart "file" (.xml / .jsonl / .csv / .txt)       -> {"results", "counts", "problems"}

Each evidence item also carries the ``label`` its signal points to, so the page can tell a
warning sign from a reassuring one. Bad input gets a JSON ``{"error", "code"}`` with status
400, 413, 415 or 422, never a 500 or a traceback. It binds 127.0.0.1 by default, sends nothing
anywhere, and logs no request bodies and no message text (the access log is off).
"""
from __future__ import annotations

import json
import logging
import socket
import sys
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import check, check_many
from .checker import no_surrogates
from .vocabulary import SEVERITY

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_UPLOAD = 20 * 1024 * 1024          # bytes of the uploaded file
MAX_JSON = 2 * 1024 * 1024             # bytes of a /api/check body
MAX_JSON_MANY = 20 * 1024 * 1024       # bytes of a /api/check_many body
MAX_MESSAGES = 10_000                  # messages in one /api/check_many call
MAX_UPLOAD_MESSAGES = 20_000           # messages checked from one uploaded file
MAX_PROBLEMS = 100                     # problems listed for one upload
_MULTIPART_SLACK = 64 * 1024           # multipart headers and boundaries around the file
_DRAIN_LIMIT = 64 * 1024 * 1024        # read (and drop) at most this much of a refused body
LABELS_BY_RISK = sorted(SEVERITY, key=lambda L: -SEVERITY[L])  # scam, abusive, suspicious, legitimate


log = logging.getLogger("verifier.serve")

_MESSAGES = {
    "invalid_json": ("请求不是有效的 JSON。", "The request body is not valid JSON."),
    "not_object": ("请求必须是一个 JSON 对象。", "The request body must be a JSON object."),
    "missing_text": ("缺少 \"text\" 字段（短信内容）。", "The field \"text\" (the message) is missing."),
    "bad_type": ("字段 \"{field}\" 的类型不对：应为{want}。", "The field \"{field}\" has the wrong type: expected {want_en}."),
    "bad_lang": ("lang 只能是 \"zh\" 或 \"en\"。", "lang must be \"zh\" or \"en\"."),
    "empty_text": ("短信内容是空的：请把短信的文字粘贴进来。", "The message is empty: paste the text of the SMS."),
    "too_large": ("内容太大（上限 {limit}）。", "The request is too large (limit {limit})."),
    "upload_too_large": ("文件太大：上限是 20 MB。请把收件箱分成几个小文件，或在命令行运行 verifier check -f 文件名。",
                         "The file is too large: the limit is 20 MB. Split the inbox into smaller files, or run "
                         "`verifier check -f FILE` on the command line."),
    "too_many": ("一次最多检查 {limit} 条短信。", "At most {limit} messages can be checked at once."),
    "no_file": ("没有收到文件：请选择一个 .xml、.jsonl、.csv 或 .txt 文件。",
                "No file was received: choose a .xml, .jsonl, .csv or .txt file."),
    "bad_upload": ("上传的数据不完整或格式不对，请重新选择文件上传。", "The upload was incomplete or malformed; choose the file and try again."),
    "unsupported_type": ("不支持这种文件：请上传 .xml（SMS Backup & Restore 导出）、.jsonl、.csv 或 .txt 文件。",
                         "This file type is not supported: upload a .xml (SMS Backup & Restore), .jsonl, .csv or .txt file."),
    "model_unavailable": ("检查模型无法加载：{detail}", "The checking model cannot be loaded: {detail}"),
    "not_found": ("没有这个页面。", "Not found."),
    "method": ("不支持这种请求方式。", "This method is not allowed here."),
    "internal": ("服务器内部出错了，请重试。", "Internal error; please try again."),
    "busy": ("正在检查别的收件箱文件，请等它完成后再上传。", "Another inbox file is being checked; upload again when it is done."),
    "slow": ("上传太慢，连接已断开，请重试。", "The upload was too slow and was stopped; please try again."),
    "bad_host": ("只接受本机地址的访问。", "Only requests addressed to this computer are accepted."),
    "cross_origin": ("拒绝了来自其他网页的请求：请直接在 verifier 页面里操作。",
                     "A request from another web page was refused: use the verifier page itself."),
}
_TYPE_WORDS = {"string": ("字符串", "a string"), "string or null": ("字符串或 null", "a string or null"),
               "string, number or null": ("字符串、数字或 null", "a string, a number or null"),
               "list": ("列表", "a list"), "text or object": ("字符串或对象", "a string or an object")}




class ApiError(Exception):
    def __init__(self, status: int, code: str, **fmt):
        super().__init__(code)
        self.status, self.code, self.fmt = status, code, fmt


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


BODY_CHUNK_TIMEOUT = 30.0    # seconds to wait for the next piece of a request body
UPLOADS_AT_ONCE = 2          # inbox files checked at the same time; the next ones are told to wait
_uploads = threading.BoundedSemaphore(UPLOADS_AT_ONCE)


async def _receive_in_time(receive):
    import asyncio

    try:
        return await asyncio.wait_for(receive(), BODY_CHUNK_TIMEOUT)
    except asyncio.TimeoutError:
        raise _TooSlow() from None


def _is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (a Host header's name, without the port)."""
    import ipaddress

    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(netloc: str) -> str:
    if netloc.startswith("["):
        return netloc[1:].split("]", 1)[0]
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


class _LocalOnly:
    """This computer only: the Host must be a loopback name (all of 127.0.0.0/8, ::1, localhost),
    which stops DNS rebinding; and a POST that says where it comes from (Origin, or
    Sec-Fetch-Site) must come from this very page, which stops other local pages (another
    server on localhost, a file:// page) from making it work."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        lang = "en" if b"lang=en" in scope.get("query_string", b"") else "zh"
        host = headers.get("host", "")
        if not _is_loopback(_host_name(host)):
            return await _error(400, "bad_host", lang)(scope, receive, send)
        if scope.get("method") == "POST":
            origin = headers.get("origin")
            site = headers.get("sec-fetch-site")
            if origin is not None and origin.lower() != f"http://{host}".lower():
                return await _error(403, "cross_origin", lang)(scope, receive, send)
            if site is not None and site not in ("same-origin", "none"):
                return await _error(403, "cross_origin", lang)(scope, receive, send)
        return await self.app(scope, receive, send)


def _error(status: int, code: str, lang: str = "zh", **fmt) -> JSONResponse:
    zh, en = _MESSAGES[code]
    if "want" in fmt:
        fmt["want_en"] = _TYPE_WORDS[fmt["want"]][1]
        fmt["want"] = _TYPE_WORDS[fmt["want"]][0]
    msg = (en if lang == "en" else zh).format(**fmt)
    return JSONResponse({"error": msg, "code": code}, status_code=status)


def _query_lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def verdict_json(v) -> dict:
    """Verdict.to_dict(): the one JSON shape of the CLI, the API and the page."""
    return v.to_dict()


# ---- reading request bodies, with limits enforced while reading ---------------------------------
async def _drain(receive, already: int) -> None:
    """Read and drop the rest of a refused body, so the client sees the 413 rather than a reset."""
    seen = already
    while seen < _DRAIN_LIMIT:
        msg = await receive()
        if msg["type"] != "http.request":
            return
        seen += len(msg.get("body", b""))
        if not msg.get("more_body", False):
            return


def _declared_length(request: Request) -> int | None:
    cl = request.headers.get("content-length", "")
    return int(cl) if cl.isdigit() else None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        await _drain(request.receive, 0)
        raise _TooLarge()
    buf = bytearray()
    more = True
    while more:
        msg = await _receive_in_time(request.receive)
        if msg["type"] != "http.request":  # the client went away
            break
        buf += msg.get("body", b"")
        more = msg.get("more_body", False)
        if len(buf) > limit:
            if more:
                await _drain(request.receive, len(buf))
            raise _TooLarge()
    return bytes(buf)


async def _json_body(request: Request, limit: int) -> tuple[dict, str]:
    lang = _query_lang(request)
    try:
        raw = await _read_body(request, limit)
    except _TooLarge:
        raise ApiError(413, "too_large", limit=f"{limit // (1024 * 1024)} MB") from None
    except _TooSlow:
        raise ApiError(408, "slow") from None
    try:
        body = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "invalid_json") from None
    if not isinstance(body, dict):
        raise ApiError(400, "not_object")
    if "lang" in body and body["lang"] is not None:
        if body["lang"] not in ("zh", "en"):
            raise ApiError(422, "bad_lang")
        lang = body["lang"]
    request.state.lang = lang
    return body, lang


def _message(obj: dict, where: str = "") -> dict:
    """text / sender / received_at of one message, checked field by field."""
    if "text" not in obj:
        raise ApiError(422, "missing_text")
    text = obj["text"]
    if not isinstance(text, str):
        raise ApiError(422, "bad_type", field=where + "text", want="string")
    sender = obj.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, (str, int, type(None))):
        raise ApiError(422, "bad_type", field=where + "sender", want="string or null")
    when = obj.get("received_at")
    if isinstance(when, bool) or not isinstance(when, (str, int, float, type(None))):
        raise ApiError(422, "bad_type", field=where + "received_at", want="string, number or null")
    sender = None if sender is None else no_surrogates(str(sender)).strip() or None  # JSON can carry them; UTF-8 cannot
    return {"text": no_surrogates(text), "sender": sender,
            "received_at": None if when == "" else when}


# ---- endpoints ---------------------------------------------------------------------------------
async def index(request: Request):
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


async def vocabulary_js(request: Request):
    """The shared vocabulary (labels, severity, names) as a script the page loads before app.js,
    so the page keeps no copy of its own."""
    from .vocabulary import as_json

    body = "window.VERIFIER_VOCABULARY = " + json.dumps(as_json(), ensure_ascii=False) + ";\n"
    return Response(body, media_type="text/javascript; charset=utf-8")


async def api_check(request: Request):
    body, lang = await _json_body(request, MAX_JSON)
    msg = _message(body)
    if not msg["text"].strip():
        raise ApiError(400, "empty_text")

    def run():
        return verdict_json(check(msg["text"], sender=msg["sender"], received_at=msg["received_at"], lang=lang))

    try:
        # a message of ordinary length takes well under a millisecond: checked right here, without
        # the hop to a worker thread (which costs more than the check); a long paste goes to a
        # thread so that it never holds up the other connections
        short = len(msg["text"]) <= INLINE_CHARS
        return JSONResponse(run() if short else await run_in_threadpool(run))
    except ValueError:  # empty after all (only invisible characters)
        raise ApiError(400, "empty_text") from None


async def api_check_many(request: Request):
    body, lang = await _json_body(request, MAX_JSON_MANY)
    if "messages" not in body:
        raise ApiError(422, "bad_type", field="messages", want="list")
    items = body["messages"]
    if not isinstance(items, list):
        raise ApiError(422, "bad_type", field="messages", want="list")
    if len(items) > MAX_MESSAGES:
        raise ApiError(413, "too_many", limit=f"{MAX_MESSAGES:,}")
    msgs = []
    for i, x in enumerate(items):
        if isinstance(x, str):
            msgs.append({"text": x})
        elif isinstance(x, dict):
            msgs.append(_message(x, where=f"messages[{i}]."))
        else:
            raise ApiError(422, "bad_type", field=f"messages[{i}]", want="text or object")

    def run():
        return [verdict_json(v) for v in check_many(msgs, lang=lang)]

    return JSONResponse({"results": await run_in_threadpool(run)})


async def api_upload(request: Request):
    lang = _query_lang(request)
    declared = _declared_length(request)
    if declared is not None and declared > MAX_UPLOAD + _MULTIPART_SLACK:
        await _drain(request.receive, 0)
        raise ApiError(413, "upload_too_large")
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ApiError(400, "bad_upload")
    if not _uploads.acquire(blocking=False):  # memory stays bounded: at most UPLOADS_AT_ONCE files at a time
        raise ApiError(503, "busy")
    try:
        form = await _upload_form(request)
        try:
            if form.get("lang") in ("zh", "en"):
                lang = request.state.lang = form["lang"]
            up = form.get("file")
            if up is None or isinstance(up, str) or not hasattr(up, "file"):
                raise ApiError(400, "no_file")
            if up.size is not None and up.size > MAX_UPLOAD:
                raise ApiError(413, "upload_too_large")
            name = Path((up.filename or "upload.txt").replace("\\", "/")).name or "upload.txt"
            pieces = upload_json(up.file, name, lang)
        except BaseException:
            await form.close()
            raise
    except BaseException:
        _uploads.release()
        raise

    async def stream():  # the form and the upload slot are held until the last verdict is sent
        try:
            while True:
                piece = await run_in_threadpool(next, pieces, None)
                if piece is None:
                    return
                yield piece.encode("utf-8")
        finally:
            await form.close()
            _uploads.release()

    return StreamingResponse(stream(), media_type="application/json")


async def _upload_form(request: Request):
    """The multipart form, parsed in memory while the body is counted as it streams in: reading
    stops past the size limit (413) or when the body stalls (408)."""
    received = 0
    done = False

    async def receive():
        nonlocal received, done
        msg = await _receive_in_time(request.receive)
        if msg["type"] == "http.request":
            received += len(msg.get("body", b""))
            done = not msg.get("more_body", False)
            if received > MAX_UPLOAD + _MULTIPART_SLACK:
                raise _TooLarge()
        return msg

    limited = Request(request.scope, receive)
    try:
        return await _InMemory(limited.headers, limited.stream(), max_files=1, max_fields=5).parse()
    except MultiPartException:
        raise ApiError(400, "bad_upload") from None
    except _TooSlow:
        raise ApiError(408, "slow") from None
    except _TooLarge:
        if not done:
            await _drain(request.receive, received)
        raise ApiError(413, "upload_too_large") from None
    except HTTPException:  # malformed multipart
        raise ApiError(400, "bad_upload") from None


class _InMemory(MultiPartParser):
    """Multipart parsing that keeps the (≤ 20 MB) upload in memory: message text never touches
    the disk (Starlette spools files over 1 MB to a temporary file by default)."""

    spool_max_size = MAX_UPLOAD + _MULTIPART_SLACK


def upload_json(f, name: str, lang: str = "zh"):
    """The answer to an upload as JSON text in pieces: {"results": [...], "counts", "problems"}.
    Verdicts are written as they are made, so memory does not grow with the number of messages
    (the results come first, the counts and problems at the end). Raises ApiError(415) at once
    for a file type it cannot read."""
    from .checker import check_file
    from .inbox import InboxError

    problems: list[str] = []
    extra = [0]

    def on_problem(msg: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(msg if lang != "zh" else _zh_problem(msg))
        else:
            extra[0] += 1

    try:
        verdicts = check_file(f, lang=lang, on_problem=on_problem, name=name, limit=MAX_UPLOAD_MESSAGES)
    except InboxError:
        raise ApiError(415, "unsupported_type") from None
    return _upload_pieces(verdicts, lang, problems, extra)


def _upload_pieces(verdicts, lang, problems, extra):
    counts = {label: 0 for label in LABELS_BY_RISK}
    yield '{"results": ['
    first = True
    for meta, msg, v in verdicts:
        d = verdict_json(v)
        counts[d["label"]] += 1
        received = msg.get("received_at")
        d.update(text=msg["text"], sender=msg.get("sender"),
                 received_at=received if isinstance(received, (str, int, float)) else None, line=meta.get("line"))
        yield ("" if first else ",") + json.dumps(d, ensure_ascii=False, allow_nan=False)
        first = False
    if extra[0]:
        problems.append(f"… {extra[0]} more problems not listed" if lang != "zh" else f"……另有 {extra[0]} 个问题未列出")
    if first and not problems:
        problems.append("文件里没有找到短信：请确认导出的是短信（不是通话记录），或换一个文件。" if lang == "zh"
                        else "No messages were found in this file: make sure it is an export of SMS (not of calls), or try another file.")
    yield '], "counts": ' + json.dumps(counts) + ', "problems": ' + json.dumps(problems, ensure_ascii=False) + "}"


def _zh_problem(msg: str) -> str:
    """The most common file notes in Chinese for the page (the rest stay as written)."""
    name, _, rest = msg.partition(": ")
    if rest.startswith("read as GBK/GB18030"):
        return f"{name}：文件不是 UTF-8 编码，已从第 {rest.rsplit('line ', 1)[-1].split()[0]} 行起按 GBK/GB18030 读取。"
    if "message(s) you sent yourself" in rest:
        return f"{name}：你自己发出的短信（和草稿）没有检查：{rest.split(' ', 1)[0]} 条。"
    return msg


# ---- errors and headers --------------------------------------------------------------------------
def _lang_of(request: Request) -> str:
    return getattr(request.state, "lang", None) or _query_lang(request)


async def _api_error(request: Request, exc: ApiError):
    return _error(exc.status, exc.code, _lang_of(request), **exc.fmt)


async def _http_error(request: Request, exc: HTTPException):
    code = {404: "not_found", 405: "method", 413: "too_large"}.get(exc.status_code, "bad_upload")
    fmt = {"limit": "?"} if code == "too_large" else {}
    return _error(exc.status_code, code, _lang_of(request), **fmt)


async def _model_error(request: Request, exc):
    return _error(503, "model_unavailable", _lang_of(request), detail=str(exc))


_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_HEADERS = [(b"content-security-policy", _CSP.encode()), (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"), (b"cache-control", b"no-store")]


class _Guard:
    """Adds the security headers; turns any unexpected exception into a JSON 500 that is logged
    by type only (an exception message could quote the message text)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": list(message.get("headers", []))
                           + [(k, v) for k, v in _HEADERS if k not in names]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # noqa: BLE001 — the last line of defence
            log.error("internal error on %s %s: %s", scope.get("method"), scope.get("path"), type(exc).__name__)
            if not started:
                lang = "en" if b"lang=en" in scope.get("query_string", b"") else "zh"
                await _error(500, "internal", lang)(scope, receive, send_with_headers)


def create_app(local_only: bool = False) -> Starlette:
    """The ASGI app. ``local_only`` refuses any Host that is not this computer (DNS rebinding)
    and any POST from another page (see :class:`_LocalOnly`)."""
    from .model import ModelError

    logging.getLogger("python_multipart").setLevel(logging.ERROR)  # its warnings quote bytes of the body
    middleware = [Middleware(_Guard)]
    if local_only:
        middleware.append(Middleware(_LocalOnly))
    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/vocabulary.js", vocabulary_js, methods=["GET", "HEAD"]),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/api/check_many", api_check_many, methods=["POST"]),
        Route("/api/upload", api_upload, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={
        ApiError: _api_error, HTTPException: _http_error, ModelError: _model_error})


def _warm_up() -> None:
    """Load the registry, rules and model now, so the first check is fast and a broken model
    is reported before the page opens."""
    check("您好")


INLINE_CHARS = 2_000  # /api/check checks a message up to this long on the event loop itself
IDLE_TIMEOUT = 10.0  # seconds a new connection may stay silent before it is closed


def _idle_timeout_protocol():
    """uvicorn's h11 protocol with TCP_NODELAY on every connection, closing a connection that
    sends nothing at all (uvicorn only times out idle keep-alive connections after a first
    response)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class IdleTimeoutH11(H11Protocol):
        def connection_made(self, transport):
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                try:  # small JSON answers go out at once instead of waiting for a delayed ACK (~40 ms)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    pass
            self._idle = self.loop.call_later(IDLE_TIMEOUT, self._close_if_silent)

        def data_received(self, data: bytes) -> None:
            if getattr(self, "_idle", None) is not None:
                self._idle.cancel()
                self._idle = None
            super().data_received(data)

        def connection_lost(self, exc):
            if getattr(self, "_idle", None) is not None:
                self._idle.cancel()
            super().connection_lost(exc)

        def _close_if_silent(self) -> None:
            self._idle = None
            if not self.transport.is_closing():
                self.transport.close()

    return IdleTimeoutH11


def run(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> int:
    """Serve the page until Ctrl-C. Returns the exit status (2: cannot bind, 3: model unusable)."""
    import uvicorn

    from .model import ModelError

    try:
        _warm_up()
    except ModelError as e:
        print(f"verifier: {e}", file=sys.stderr)
        return 3
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # connections wait in the backlog from now on, so the printed address works at once
    except OSError as e:
        sock.close()
        print(f"verifier: cannot listen on {host}:{port} ({e.strerror}); try another --port", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    local = _is_loopback(host)
    app = create_app(local_only=local)
    config = uvicorn.Config(app, access_log=False, log_level="warning", server_header=False, lifespan="off",
                            timeout_keep_alive=5, limit_concurrency=64, http=_idle_timeout_protocol())
    server = uvicorn.Server(config)
    if not local:
        print(f"verifier: warning: listening on {host}: other computers on the network can use this page", file=sys.stderr)
    print(f"verifier: serving on {url}  (Ctrl-C to stop)", flush=True)
    if open_browser:
        def opener():
            import time
            import webbrowser

            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=opener, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


__all__ = ["create_app", "run", "upload_json", "verdict_json"]
