"""The public API's implementation: analyse → classify → decide → explain."""
from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Iterable, Iterator

from . import decision, explain, paste
from .verdict import Evidence, Verdict
from .vocabulary import SEVERITY
from .normalize import MAX_CHARS

EMPTY_MESSAGE = "the message is empty: paste the text of the SMS (短信内容为空，请粘贴短信全文)"


def coerce_text(text) -> str:
    """A str for any text-like input; ValueError when there is nothing to check."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        from .inbox import decode_bytes

        text = decode_bytes(bytes(text))  # UTF-8, GBK/GB18030 or UTF-16; ValueError otherwise
    if text is None:
        raise ValueError(EMPTY_MESSAGE)
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    text = no_surrogates(text)
    if not text.strip() or not any(c.isprintable() and not c.isspace() for c in text[:100_000]):
        raise ValueError(EMPTY_MESSAGE)
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(s: str) -> str:
    """A lone UTF-16 surrogate ("\\ud800" in JSON) cannot be written as UTF-8: it becomes U+FFFD,
    one character for one, so every offset stays the same."""
    return _SURROGATE.sub("\ufffd", s) if _SURROGATE.search(s) else s


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return lang


def _decide(analysis, probs: dict[str, float], lang: str, terms, with_words: bool, thresholds: dict):
    """The decision, and the model's wording as evidence when it decided on words no rule names
    (when none can be shown, no reason a person can check is left and the decision falls back)."""
    d = decision.decide(analysis.hits, probs, thresholds)
    hit_labels = {h.rule.label for h in analysis.hits}
    if d.label not in ("scam", "abusive") or d.label in hit_labels:
        return d, []
    words = explain.model_evidence(analysis, terms(d.label), d.label, lang) if terms is not None else []
    if words:
        return d, words if with_words else []
    return decision.without_reason(d, bool(hit_labels - {"legitimate"}), probs, thresholds), []


def _build(analysis, probs: dict[str, float], lang: str, terms=None, explain_it: bool = True) -> Verdict:
    """``terms(label)`` gives the model's top n-grams toward a label (for model evidence).
    Without ``explain_it`` only the decision is made (the same label and confidence), and no
    summary, evidence or advice is written: the labels-only path of check_many."""
    from .analysis import default as analyzer
    from .model import default as model

    d, words = _decide(analysis, probs, lang, terms, explain_it, model().thresholds)
    lender = analysis.lender
    head = dict(label=d.label, confidence=d.confidence, lender=lender.to_dict() if lender is not None else None,
                decided_by=d.decided_by, probabilities=probs, lang=lang, about_debt=analysis.about_debt)
    if not explain_it:
        return Verdict(summary="", evidence=(), advice=(), **head)
    evidence = explain.evidence_of(analysis, lang) + words
    notes = ()
    if analysis.norm.truncated:
        notes = ("只分析了前 20,000 个字符。" if lang == "zh" else "Only the first 20,000 characters were analysed.",)
    summary = explain.summary_of(d.label, evidence, lender, lang, analysis.about_debt)
    advice = explain.advice_of(d.label, evidence, lender, analyzer().registry, lang, analysis.about_debt)
    risky = [e for e in evidence if e.label != "legitimate"]
    if d.label == "scam":  # an impersonated signature or hotline is no sign of a genuine notice in a scam
        evidence = risky
    elif d.label != "legitimate":  # what made it risky first, the reassuring markers after
        evidence = risky + [e for e in evidence if e.label == "legitimate"]
    return Verdict(summary=summary, evidence=tuple(evidence), advice=tuple(advice), notes=notes, **head)


MAX_SEGMENTS = 20     # messages of one very long paste that are read
TAIL = 2_000          # of a paste longer than that, its last characters are read too


def _segments(text: str) -> list[tuple[int, int]]:
    """The messages of a paste. A paste longer than the limit is still split into its messages
    (the first MAX_SEGMENTS), and its end is read too: 20,000 characters of a genuine bill in
    front of a scam do not hide the scam."""
    if len(text) <= MAX_CHARS:
        return paste.segments(text)
    from .normalize import MAX_SCAN

    segs = paste.segments(text[:MAX_SCAN])[:MAX_SEGMENTS]
    end = segs[-1][1] if segs else 0
    if end < len(text):
        segs.append((end, len(text)))
    out = []
    for a, b in segs:  # a message longer than the limit is read up to it, and its end is read too
        out.append((a, b))
        if b - a > MAX_CHARS:
            out.append((max(a, b - TAIL), b))
    return out


def _analyses(pl, text: str, sender, when, burst: bool = False) -> list[tuple[int, object]]:
    """One analysis per message in the paste, with its offset in the original text."""
    segs = _segments(text)
    if len(segs) == 1:
        return [(0, pl.analyze(text, sender=sender, received_at=when, burst=burst))]
    return [(a, pl.analyze(text[a:b], sender=sender, received_at=when, burst=burst)) for a, b in segs]


def _combine(parts: list[tuple[int, object]], probs: list[dict], lang: str, terms=None, explain_it: bool = True) -> Verdict:
    """A paste of several messages is judged by its most severe one; every message's evidence
    is shown, with offsets into the whole paste. ``terms(i, label)`` gives part i's model n-grams."""
    verdicts = [(off, _build(a, p, lang, (lambda L, i=i: terms(i, L)) if terms else None, explain_it))
                for i, ((off, a), p) in enumerate(zip(parts, probs))]
    if len(verdicts) == 1:
        return verdicts[0][1]
    if not explain_it:
        return max((v for _, v in verdicts), key=lambda v: (SEVERITY[v.label], v.confidence))
    worst_i = max(range(len(verdicts)), key=lambda i: (SEVERITY[verdicts[i][1].label], verdicts[i][1].confidence))
    worst = verdicts[worst_i][1]
    evidence = []
    for i in [worst_i] + [i for i in range(len(verdicts)) if i != worst_i]:
        off, v = verdicts[i]
        for e in v.evidence:
            evidence.append(e if e.start is None else replace(e, start=e.start + off, end=e.end + off))
    n = len(verdicts)
    labels = "、".join(x.label_text for _, x in verdicts) if lang == "zh" else ", ".join(x.label for _, x in verdicts)
    prefix = (f"你粘贴了 {n} 条短信（{labels}），按最严重的第 {worst_i + 1} 条判断。" if lang == "zh"
              else f"You pasted {n} messages ({labels}); judged by the most severe one, number {worst_i + 1}. ")
    return replace(worst, summary=prefix + worst.summary, evidence=tuple(evidence),
                   notes=worst.notes + tuple(f"#{i + 1}: {v.label_text}" for i, (_, v) in enumerate(verdicts)))


def check_one(text, sender=None, received_at=None, lang="zh") -> Verdict:
    """One message: a batch of one (check_chunk), except that empty text raises ValueError."""
    lang = _lang(lang)
    return check_chunk([(coerce_text(text), sender, received_at)], [False], lang)[0]


def _item(x) -> tuple:
    if isinstance(x, dict):
        return x.get("text"), x.get("sender"), x.get("received_at")
    if isinstance(x, (tuple, list)):
        x = list(x) + [None, None]
        return x[0], x[1], x[2]
    return x, None, None


def _burst_given(x) -> bool | None:
    """The burst flag the caller computed for an item (a dict's "burst", a tuple's 4th value):
    True/False (or 1/0), else None — then it is computed here."""
    if isinstance(x, dict):
        b = x.get("burst")
    elif isinstance(x, (tuple, list)) and len(x) > 3:
        b = x[3]
    else:
        return None
    if b is None or isinstance(b, (str, bytes)):
        return None
    try:
        return bool(b) if b in (0, 1) else None
    except (TypeError, ValueError):  # an array, an object whose == raises
        return None


def empty_verdict(lang: str, reason: str | None = None) -> Verdict:
    zh = lang != "en"
    msg = reason or ("短信内容为空，无法判断。" if zh else "The message is empty; nothing to check.")
    return Verdict(label="suspicious", confidence=0.0, summary=msg, evidence=(), advice=(
        "请粘贴短信的完整文字再检查。" if zh else "Paste the full text of the SMS and check again.",), lender=None,
        decided_by="empty", probabilities={}, lang=lang)


BATCH_CHARS = 4_000_000  # a batch also ends at this many characters: 512 one-megabyte lines are not held at once


def _chunks(it, batch_size: int):
    """Lists of up to ``batch_size`` items and about BATCH_CHARS characters of text."""
    while True:
        chunk, chars = [], 0
        for x in it:
            chunk.append(x)
            text = _item(x)[0]
            chars += len(text) if isinstance(text, (str, bytes)) else 0
            if len(chunk) >= batch_size or chars >= BATCH_CHARS:
                break
        if not chunk:
            return
        yield chunk


def _flagged_chunks(items, batch_size: int):
    """(rows, flags) for each batch: rows are (text, sender, received_at), flags the burst flag of
    each row. A flag given with the item is used as is. Otherwise, for a list (any sequence) the
    flags come from a first pass over the keys of the whole list — timeline.burst_flags, the
    definition — so they do not depend on how the list is batched, split or ordered. A one-shot
    iterator cannot be read twice: its flags come from timeline.BurstTracker (the messages
    before each batch and the whole batch itself)."""
    from collections.abc import Sequence
    from itertools import islice

    from . import timeline

    first_pass = tracker = None
    if isinstance(items, Sequence) and not isinstance(items, (str, bytes, bytearray)):
        if any(_burst_given(x) is None for x in items):
            first_pass = iter(timeline.burst_flags(_item(x)[1:3] for x in items))
    else:
        tracker = timeline.BurstTracker()
    for chunk in _chunks(iter(items), batch_size):
        rows = [_item(x) for x in chunk]
        given = [_burst_given(x) for x in chunk]
        if tracker is not None:
            computed = tracker.flags([r[1:3] for r in rows])
        elif first_pass is not None:
            computed = list(islice(first_pass, len(chunk)))
        else:
            computed = given  # a sequence whose every flag was given
        yield rows, [c if g is None else g for g, c in zip(given, computed)]


def check_chunk(rows: list, flags: list, lang: str = "zh", explain_it: bool = True) -> list[Verdict]:
    """The verdicts of one batch of (text, sender, received_at) rows whose burst flags are settled:
    the unit of work of check_batch, in this process or in a worker (verifier.parallel)."""
    from . import analysis, model

    pl = analysis.default()
    m = model.default()
    parts_of: list = []
    for (text, sender, when), burst in zip(rows, flags):
        try:
            t = coerce_text(text)
        except (ValueError, TypeError) as e:
            parts_of.append(e)
            continue
        parts_of.append(_analyses(pl, t, sender, when, burst))
    flat = [a for parts in parts_of if not isinstance(parts, Exception) for _, a in parts]
    probs, X = m.predict(flat) if flat else ([], None)
    out, k = [], 0
    for parts in parts_of:
        if isinstance(parts, Exception):
            out.append(empty_verdict(lang, None if isinstance(parts, ValueError) else str(parts)))
        else:
            base = k
            out.append(_combine(parts, probs[k:k + len(parts)], lang, lambda i, L, base=base: m.top_terms(X, base + i, L, k=25),
                                explain_it))
            k += len(parts)
    return out


def check_batch(items: Iterable, lang: str = "zh", batch_size: int = 512, explain_it: bool = True,
                jobs: int = 1) -> Iterator[Verdict]:
    """Verdicts of ``items`` in order (see _flagged_chunks for the burst flags); ``jobs`` > 1
    spreads the batches over that many worker processes (verifier.parallel) with the same
    verdicts and order."""
    from . import analysis, model

    lang = _lang(lang)
    jobs = _jobs(jobs)
    analysis.default()
    model.default()  # a model that cannot be used fails here, in this process, whatever ``jobs``
    chunks = _flagged_chunks(items, batch_size)
    if jobs > 1:
        from .parallel import check_chunks

        yield from check_chunks(chunks, lang, explain_it, jobs)
        return
    for rows, flags in chunks:
        yield from check_chunk(rows, flags, lang, explain_it)


def _jobs(jobs) -> int:
    """Worker processes: a positive int, or None/0 for all cores."""
    import os

    if jobs is None or jobs == 0:
        return os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise ValueError(f"jobs must be a positive number of processes (or 0/None for all cores), not {jobs!r}")
    return jobs


def check_file(source, lang: str = "zh", explain_it: bool = True, on_problem=None, name: str | None = None,
               on_read=None, limit: int | None = None, jobs: int = 1,
               on_first_pass=None) -> Iterator[tuple[dict, dict, Verdict]]:
    """(meta, message, verdict) for every message of an inbox file — a path, or a binary stream
    (an upload; ``name`` gives its file type) — in file order. Problems (a bad line, a note
    about the encoding) go to ``on_problem`` and never stop the file. Raises InboxError at once
    when the file cannot be read at all (missing, a directory, an unknown type).

    Bursts: a regular file, or a stream that can seek back (an upload held in memory), is read
    twice — a first pass keeps only each message's sender and time (timeline.BurstIndex: keys,
    never text) to flag bursts over the whole file, then the messages are checked. A stream that
    cannot be read twice (stdin, a pipe, a device) is read once, with timeline.BurstTracker's
    flags. A .txt file (one message a line) has no senders or times: it is read once.
    ``on_read(n)`` and ``on_first_pass(n)`` hear how many bytes of a path the checking pass and
    the first pass have read (a progress bar)."""
    from .inbox import read_messages, read_stream

    note = on_problem or (lambda m: None)
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        path = os.fsdecode(source)
        name = name or path
        index = (_key_pass(lambda quiet: read_messages(path, on_problem=quiet, on_read=on_first_pass), limit)
                 if _two_pass_path(path) else None)
        items = read_messages(path, on_problem=note, on_read=on_read)
    else:
        name = name or getattr(source, "name", None) or "upload.txt"
        index = None
        pos = _rewind_point(source) if _suffix(name) != ".txt" else None
        if pos is not None:
            index = _key_pass(lambda quiet: read_stream(_Lent(source), name, quiet), limit)
            source.seek(pos)
        items = read_stream(source, name, note)
    return _file_verdicts(items, lang, explain_it, note, name, limit, index, jobs)


def _suffix(name: str) -> str:
    return os.path.splitext(str(name))[1].lower()


def _two_pass_path(path: str) -> bool:
    """A path worth a first pass: a regular file (not stdin, a pipe or a device) that can hold
    senders and times (not .txt)."""
    try:
        return path != "-" and os.path.isfile(path) and _suffix(path) != ".txt"
    except (OSError, ValueError):
        return False


def _rewind_point(f) -> int | None:
    """Where a stream can be brought back to after a first pass, or None (it cannot seek)."""
    try:
        return f.tell() if f.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


class _Lent:
    """A stream lent to the first pass: read like the original, never closed by it (the readers
    close what they wrap when they are done)."""

    def __init__(self, f):
        self._f = f

    def __getattr__(self, attr):
        return getattr(self._f, attr)

    @property
    def closed(self) -> bool:
        return self._f.closed

    def close(self) -> None:
        pass


def _key_pass(read, limit):
    """The first pass over a file: a BurstIndex of every message's (sender, received_at), nothing
    else kept. Problems are not reported here (the second pass reports them)."""
    from . import timeline

    index = timeline.BurstIndex()
    for n, (_, msg) in enumerate(read(lambda m: None)):
        if limit is not None and n >= limit:
            break
        index.add(msg.get("sender"), msg.get("received_at"))
    return index.finish()


def _file_verdicts(items, lang, explain_it, note, name, limit, index=None, jobs=1):
    from collections import deque

    pending: deque = deque()  # only the messages in flight: constant memory on huge files

    def feed():
        for n, (meta, msg) in enumerate(items):
            if limit is not None and n >= limit:
                note(f"{name}: only the first {limit:,} messages were checked; run `verifier check -f {name}` for the whole file")
                return
            pending.append((meta, msg))
            if index is None:
                yield msg
            else:  # the whole file's flag, from the first pass (msg itself is left as read)
                yield (msg["text"], msg.get("sender"), msg.get("received_at"), index.flag(msg.get("sender"), msg.get("received_at")))

    for v in check_batch(feed(), lang=lang, explain_it=explain_it, jobs=jobs):
        meta, msg = pending.popleft()
        yield meta, msg, v


__all__ = ["check_one", "check_batch", "check_file", "coerce_text", "Evidence", "Verdict"]
