"""Read many messages from a file, streaming: JSON lines, plain text (one message a line), CSV
with text/sender columns, or the XML of the Android app "SMS Backup & Restore".

Each line is decoded on its own, so a line in a broken encoding is reported (file and line)
and skipped while the other lines are still checked; memory stays constant on huge files.
"""
from __future__ import annotations

import csv

import json
import re
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

TEXT_KEYS = ("text", "body", "content", "message", "msg", "sms", "短信内容", "内容", "短信")
SENDER_KEYS = ("sender", "address", "from", "number", "phone", "发件人", "号码", "发送方")
TIME_KEYS = ("received_at", "time", "date", "datetime", "timestamp", "接收时间", "时间")
MAX_LINE = 1 << 20  # a line longer than 1 MB is cut (the checker analyses 20,000 characters anyway)
MAX_NO_NEWLINE = 64 << 20  # 64 MB without a line break: not a text file (or /dev/zero); stop reading it


class InboxError(ValueError):
    """The file cannot be read at all (missing, a directory, unknown format)."""


UNDECODABLE = ("无法识别这段文字的编码（不是 UTF-8、GBK/GB18030 或 UTF-16），请另存为 UTF-8 后再试。"
               " / The text is not UTF-8, GBK/GB18030 or UTF-16; save it as UTF-8 and try again.")


def decode_bytes(data: bytes) -> str:
    """Text of bytes as Chinese phones, Windows and editors write it: a UTF-8/UTF-16/UTF-32 byte
    order mark, else UTF-8, else GB18030 (which covers GBK and GB2312) — each strictly.
    ValueError(UNDECODABLE) when none fits: a verdict on replacement characters would judge
    nothing."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                     (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                raise ValueError(UNDECODABLE) from None
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError(UNDECODABLE)


class _Recode:
    """A UTF-16 file read as UTF-8 bytes, line by line (the readers below split bytes on \\n)."""

    def __init__(self, f, encoding: str):
        import io

        self.text = io.TextIOWrapper(f, encoding=encoding, errors="replace", newline="")

    def readline(self, limit: int = -1) -> bytes:
        return self.text.readline(limit // 4 if limit and limit > 0 else -1).encode("utf-8")

    def read(self, size: int = -1) -> bytes:
        return self.text.read(size // 4 if size and size > 0 else -1).encode("utf-8")

    def close(self) -> None:
        self.text.close()


def _pick(d: dict, keys) -> object:
    low = {str(k).strip().lower(): v for k, v in d.items() if k is not None}
    for k in keys:
        if k in low and low[k] not in (None, ""):
            return low[k]
    return None


def _lines(f, name: str, on_problem: Callable[[str], None]) -> Iterator[tuple[int, str]]:
    """Decoded lines, each on its own; a line longer than MAX_LINE is cut there (on a character
    boundary) and the rest of it skipped without reading it into memory."""
    no = 0
    gbk_noted = False
    while True:
        raw = f.readline(MAX_LINE)
        if not raw:
            return
        no += 1
        if len(raw) >= MAX_LINE and not raw.endswith(b"\n"):
            skipped = 0
            while True:  # drop the rest of an overlong line, chunk by chunk
                rest = f.readline(MAX_LINE)
                skipped += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
                if skipped > MAX_NO_NEWLINE:
                    on_problem(f"{name}: line {no}: more than 64 MB without a line break; the rest of the file was not read")
                    return
            cut = len(raw)
            while cut > 0 and (raw[cut - 1] & 0xC0) == 0x80:
                cut -= 1
            if cut > 0 and raw[cut - 1] >= 0xC0:
                cut -= 1  # a lead byte whose continuation was cut off
            raw = raw[:cut]
        try:
            line = raw.decode("utf-8-sig" if no == 1 else "utf-8")
        except UnicodeDecodeError as e:
            try:  # a file saved by Chinese Windows (Excel, Notepad): GBK, read as GB18030
                line = raw.decode("gb18030")
                if not gbk_noted:
                    on_problem(f"{name}: read as GBK/GB18030 (the file is not UTF-8) from line {no} on")
                    gbk_noted = True
            except UnicodeDecodeError:
                on_problem(f"{name}: line {no}: not UTF-8 or GBK at byte {e.start}; line skipped")
                continue
        line = line.rstrip("\r\n")
        if "\r" in line:  # a file with old Mac line ends (CR only): each part is a line of its own
            parts = line.split("\r")
            for k, part in enumerate(parts):
                yield no + k, part
            no += len(parts) - 1
            continue
        yield no, line


SUFFIXES = (".jsonl", ".ndjson", ".json", ".txt", ".csv", ".xml")


class _Counting:
    """A binary file that reports how many bytes have been read (for a progress bar)."""

    def __init__(self, f, on_read: Callable[[int], None]):
        self.f, self.on_read, self.n = f, on_read, 0

    def _count(self, b: bytes) -> bytes:
        self.n += len(b)
        self.on_read(self.n)
        return b

    def read(self, size: int = -1) -> bytes:
        return self._count(self.f.read(size))

    def readline(self, limit: int = -1) -> bytes:
        return self._count(self.f.readline(limit))

    def seekable(self) -> bool:
        return self.f.seekable()

    def seek(self, pos: int, whence: int = 0) -> int:
        r = self.f.seek(pos, whence)
        self.n = self.f.tell()
        return r

    def tell(self) -> int:
        return self.f.tell()

    def close(self) -> None:
        self.f.close()


def read_messages(path: str, on_problem: Callable[[str], None] = lambda m: None,
                  on_read: Callable[[int], None] | None = None) -> Iterator[tuple[dict, dict]]:
    """Yield (meta, message) pairs; meta has the line number (and id when the file gives one).
    ``on_read(n)`` is told how many bytes of the file have been read so far."""
    p = Path(path)
    if str(path) == "-":
        import sys

        f = sys.stdin.buffer
        return _dispatch(f, "<stdin>", ".txt", on_problem)
    if not p.exists():
        raise InboxError(f"{path}: no such file")
    if p.is_dir():
        raise InboxError(f"{path}: is a directory, not a file")
    _suffix_of(str(path))  # an unknown type fails before the file is opened
    try:
        f = open(p, "rb")
    except OSError as e:
        raise InboxError(f"{path}: cannot open ({e.strerror})") from None
    if on_read is not None:
        f = _Counting(f, on_read)
    try:
        return read_stream(f, str(path), on_problem, close=True)
    except BaseException:
        f.close()
        raise


def read_stream(f: BinaryIO, name: str, on_problem: Callable[[str], None] = lambda m: None,
                close: bool = False) -> Iterator[tuple[dict, dict]]:
    """Like ``read_messages`` for a binary file object already open (an upload): ``name`` is the
    file's name, whose extension picks the format, and prefixes every problem reported. The
    stream is read lazily, once; it is closed at the end only when ``close`` is true."""
    suffix = _suffix_of(name)
    if suffix == "":
        suffix = _sniff(f)
    enc = _utf16(f)
    if enc and suffix != ".xml":
        f = _Recode(f, enc)
    gen = _dispatch(f, name, suffix, on_problem)
    return _closing(f, gen) if close else gen


def _suffix_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES + ("",):
        raise InboxError(f"{name}: unknown file type '{suffix}' (use .jsonl, .txt, .csv or .xml)")
    return suffix


def _head(f, n: int = 64) -> bytes:
    """The first ``n`` bytes of a stream, leaving it where it was (b"" when that cannot be done)."""
    try:
        if f.seekable():
            head = f.read(n)
            f.seek(0)
            return head
        if hasattr(f, "peek"):
            return f.peek(n)[:n]
    except (OSError, AttributeError):
        pass
    return b""


def _sniff(f) -> str:
    """A file without an extension: XML when it starts with '<', else one message a line."""
    return ".xml" if _head(f).lstrip().startswith(b"<") else ".txt"


def _utf16(f) -> str | None:
    """'utf-16' when the stream starts with a UTF-16 byte order mark (Windows "Unicode" text)."""
    return "utf-16" if _head(f, 2) in (b"\xff\xfe", b"\xfe\xff") else None


def _closing(f, gen):
    try:
        yield from gen
    finally:
        f.close()


def _dispatch(f, name: str, suffix: str, on_problem):
    if suffix == ".json" and _starts_with(f, b"["):
        return _json_array(f, name, on_problem)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _jsonl(f, name, on_problem)
    if suffix == ".csv":
        return _csv(f, name, on_problem)
    if suffix == ".xml":
        return _xml(f, name, on_problem)
    return _txt(f, name, on_problem)


MAX_JSON_ARRAY = 100 << 20  # a .json array is read whole; bigger exports should be JSON lines


def _starts_with(f, prefix: bytes) -> bool:
    return _head(f).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(prefix)


def _json_array(f, name, on_problem):
    """A .json file holding an array of messages (objects with a text field, or strings)."""
    data = f.read(MAX_JSON_ARRAY + 1)
    if len(data) > MAX_JSON_ARRAY:
        on_problem(f"{name}: a JSON array over 100 MB is not read; write one message a line (.jsonl)")
        return
    try:
        items = _json(decode_bytes(data))
    except (ValueError, RecursionError) as e:
        on_problem(f"{name}: not a readable JSON array ({str(e)[:120]})")
        return
    for no, obj in enumerate(items if isinstance(items, list) else [], 1):
        msg = _message(obj)
        if msg is None:
            on_problem(f"{name}: item {no}: expected an object with a \"text\" field; item skipped")
            continue
        yield {"line": no, "id": _clean(obj.get("id")) if isinstance(obj, dict) else None}, msg


def _json(s: str):
    """json.loads without NaN/Infinity (strict JSON parsers reject them: they become null) and
    without deep nesting (a message is never nested 100 levels deep)."""
    depth = max(s.count("["), s.count("{"))
    if depth > 100 and _nesting(s) > 100:
        raise ValueError("nested more than 100 levels")
    return json.loads(s, parse_constant=lambda _: None)


def _nesting(s: str) -> int:
    deep = cur = 0
    in_str = esc = False
    for c in s:
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "[{":
            cur += 1
            deep = max(deep, cur)
        elif c in "]}":
            cur -= 1
    return deep


def _clean(v):
    """A field value fit for a verdict line: text without lone surrogates, no NaN, no huge ints."""
    from .checker import no_surrogates

    if isinstance(v, str):
        return no_surrogates(v)
    if isinstance(v, float) and v != v or isinstance(v, float) and v in (float("inf"), float("-inf")):
        return None
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10 ** 15:
        return str(v)[:40]
    if isinstance(v, (dict, list)):
        return None
    return v


def _message(obj) -> dict | None:
    if isinstance(obj, str):
        obj = {"text": obj}
    if not isinstance(obj, dict):
        return None
    text = _pick(obj, TEXT_KEYS)
    if not isinstance(text, str) or not text.strip():
        return None
    sender = _clean(_pick(obj, SENDER_KEYS))
    return {"text": _clean(text), "sender": None if sender is None else str(sender)[:64], "received_at": _clean(_pick(obj, TIME_KEYS))}


def _txt(f, name, on_problem):
    for no, line in _lines(f, name, on_problem):
        if line.strip():
            yield {"line": no}, {"text": line}


def _jsonl(f, name, on_problem):
    for no, line in _lines(f, name, on_problem):
        if not line.strip():
            continue
        try:
            obj = _json(line)
        except (ValueError, RecursionError) as e:
            on_problem(f"{name}: line {no}: not valid JSON ({getattr(e, 'msg', None) or str(e)[:80] or type(e).__name__}); line skipped")
            continue
        msg = _message(obj)
        if msg is None:
            what = "no \"text\" field" if isinstance(obj, dict) else "expected an object with a \"text\" field"
            on_problem(f"{name}: line {no}: {what}; line skipped")
            continue
        yield {"line": no, "id": _clean(obj.get("id")) if isinstance(obj, dict) else None}, msg


MAX_RECORD_LINES = 50  # a quoted CSV field may span lines (an SMS with line breaks), but not forever


def _records(lines, name, on_problem):
    """CSV records from numbered lines: a quoted field may continue on the next lines; a quote
    that stays open for MAX_RECORD_LINES lines (or MAX_LINE characters) is reported and its
    first line is read alone, so one stray quote cannot swallow the rest of the file."""
    pending: list[tuple[int, str]] = []
    lines = iter(lines)
    replay: list[tuple[int, str]] = []
    while True:
        if replay:
            no, line = replay.pop(0)
        else:
            nxt = next(lines, None)
            if nxt is None:
                break
            no, line = nxt
        pending.append((no, line))
        record = "\n".join(x for _, x in pending)
        if record.count('"') % 2 == 0:
            yield pending[0][0], record
            pending = []
        elif len(pending) >= MAX_RECORD_LINES or len(record) > MAX_LINE:
            first = pending[0]
            on_problem(f"{name}: line {first[0]}: a quote is never closed; the line was read on its own")
            yield first[0], first[1].replace('"', "")
            replay = pending[1:] + replay
            pending = []
    if pending:
        first = pending[0]
        on_problem(f"{name}: line {first[0]}: a quote is never closed; the line was read on its own")
        yield first[0], first[1].replace('"', "")
        for no, line in pending[1:]:
            yield no, line


def _csv(f, name, on_problem):
    import io

    csv.field_size_limit(MAX_LINE * 2)
    header = None
    for no, record in _records(_lines(f, name, on_problem), name, on_problem):
        try:
            rows = list(csv.reader(io.StringIO(record)))
        except csv.Error as e:
            on_problem(f"{name}: line {no}: not a CSV row ({e}); row skipped")
            continue
        row = [c for r in rows[:1] for c in r]
        if header is None:
            cols = [c.strip().lower() for c in row]
            if any(c in TEXT_KEYS for c in cols):
                header = cols
                continue
            header = ["text", "sender", "received_at"][: max(1, len(row))]
        if not any(c.strip() for c in row):
            continue
        d = dict(zip(header, row))
        msg = _message(d)
        if msg is None:
            on_problem(f"{name}: line {no}: empty text; row skipped")
            continue
        yield {"line": no, "id": _clean(d.get("id"))}, msg


MAX_XML_DEPTH = 32          # <smses><sms/></smses> is 2 deep; anything far deeper is not an SMS backup
MAX_XML_TAG = 2 << 20       # 2 MB without a '>': one element that long is not an SMS (and costs expat quadratic time)


class _XmlTooBig(Exception):
    pass


def _xml(f, name, on_problem):
    """SMS Backup & Restore: <smses><sms address="…" date="ms" body="…" type="1" …/></smses>.
    Streaming with bounded memory: every element is dropped once read, nesting and element size
    are capped. Messages of type 2 and up (sent by you, drafts, outbox) are not judged."""
    import xml.etree.ElementTree as ET

    n = sent = depth = 0
    root = None
    try:
        for ev, el in ET.iterparse(_CharRefFixer(f), events=("start", "end")):
            if ev == "start":
                depth += 1
                if root is None:
                    root = el
                if depth > MAX_XML_DEPTH:
                    on_problem(f"{name}: elements nested more than {MAX_XML_DEPTH} levels deep; the rest of the file was not read")
                    return
                continue
            depth -= 1
            if el.tag == "sms":
                n += 1
                body = el.get("body")
                if el.get("type") not in (None, "", "1"):  # 2 sent, 3 draft, 4 outbox …: the borrower's own
                    sent += 1
                elif body and body.strip():
                    yield {"line": n, "id": _clean(el.get("date"))}, {"text": _clean(body), "sender": _clean(el.get("address")),
                                                                      "received_at": _ms(el.get("date"))}
            el.clear()
            if depth == 1 and root is not None:
                root.clear()  # the finished children of the root are not kept either
    except ET.ParseError as e:
        line = e.position[0] if getattr(e, "position", None) else "?"
        on_problem(f"{name}: line {line}: malformed XML ({e}); messages after this point were not read")
    except _XmlTooBig:
        on_problem(f"{name}: an element longer than 2 MB; the rest of the file was not read")
    if sent:
        on_problem(f"{name}: {sent} message(s) you sent yourself (or drafts) were not checked")
    if n == 0 and root is not None and root.tag != "smses":
        on_problem(f"{name}: this XML holds no SMS (<{root.tag}>: a backup of calls?)")


_SURROGATE_REF = re.compile(rb"&#(5[5-7][0-9]{3});(?:&#(5[67][0-9]{3});)?")
_HIGH_REF_AT_END = re.compile(rb"&#(?:55[2-9][0-9]{2}|56[0-2][0-9]{2}|563[01][0-9]);$")  # ⊇ 55296..56319


def _fix_refs(m: re.Match) -> bytes:
    hi = int(m.group(1))
    lo = int(m.group(2)) if m.group(2) else None
    if 0xD800 <= hi <= 0xDBFF and lo is not None and 0xDC00 <= lo <= 0xDFFF:
        return b"&#%d;" % (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    first = m.group(0)[: len(m.group(1)) + 3]
    tail = m.group(0)[len(first):]
    head = b"&#65533;" if 0xD800 <= hi <= 0xDFFF else first
    return head + (_SURROGATE_REF.sub(_fix_refs, tail) if tail else b"")


class _CharRefFixer:
    """SMS Backup & Restore writes an emoji as two UTF-16 surrogate references
    (``&#55357;&#56832;``), which XML forbids and expat rejects. Joins each pair into one
    reference (a lone surrogate becomes U+FFFD) while streaming, so one emoji does not stop
    the file."""

    def __init__(self, f):
        self.f = f
        self.rest = b""
        self.since_gt = 0  # bytes since the last '>': one element's length so far

    def read(self, size: int = -1) -> bytes:
        while True:
            chunk = self.f.read(size if size and size > 0 else 1 << 16)
            gt = chunk.rfind(b">")
            self.since_gt = len(chunk) - gt - 1 if gt >= 0 else self.since_gt + len(chunk)
            if self.since_gt > MAX_XML_TAG:
                raise _XmlTooBig()
            data = self.rest + chunk
            if not chunk:
                self.rest = b""
                return _SURROGATE_REF.sub(_fix_refs, data)
            cut = len(data)
            amp = data.rfind(b"&", max(0, cut - 10))
            if amp >= 0 and b";" not in data[amp:]:
                cut = amp  # a reference cut in two
            high = _HIGH_REF_AT_END.search(data, max(0, cut - 8), cut)
            if high:
                cut = high.start()  # a high surrogate: its low half may come next
            self.rest = data[cut:]
            if cut:
                return _SURROGATE_REF.sub(_fix_refs, data[:cut])


def _ms(v):
    if v is None:
        return None
    try:
        return int(v)
    except ValueError:
        return v


__all__ = ["InboxError", "UNDECODABLE", "decode_bytes", "read_messages", "read_stream"]

