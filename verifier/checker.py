"""The public API's implementation: analyse → classify → decide → explain."""
from __future__ import annotations

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
    from . import analysis, model

    lang = _lang(lang)
    text = coerce_text(text)
    parts = _analyses(analysis.default(), text, sender, received_at)
    m = model.default()
    probs, X = m.predict([a for _, a in parts])
    return _combine(parts, probs, lang, lambda i, L: m.top_terms(X, i, L, k=25))


def _item(x) -> tuple:
    if isinstance(x, dict):
        return x.get("text"), x.get("sender"), x.get("received_at")
    if isinstance(x, (tuple, list)):
        x = list(x) + [None, None]
        return x[0], x[1], x[2]
    return x, None, None


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


def check_batch(items: Iterable, lang: str = "zh", batch_size: int = 512, explain_it: bool = True) -> Iterator[Verdict]:
    from . import analysis, model, timeline

    lang = _lang(lang)
    pl = analysis.default()
    m = model.default()
    bursts = timeline.BurstTracker()
    for chunk in _chunks(iter(items), batch_size):
        items: list = []
        for x in chunk:
            text, sender, when = _item(x)
            try:
                t = coerce_text(text)
            except (ValueError, TypeError) as e:
                items.append(e)
                continue
            items.append(_analyses(pl, t, sender, when, bursts.flag(sender, when)))
        flat = [a for parts in items if not isinstance(parts, Exception) for _, a in parts]
        probs, X = m.predict(flat) if flat else ([], None)
        k = 0
        for parts in items:
            if isinstance(parts, Exception):
                yield empty_verdict(lang, None if isinstance(parts, ValueError) else str(parts))
            else:
                base = k
                yield _combine(parts, probs[k:k + len(parts)], lang, lambda i, L, base=base: m.top_terms(X, base + i, L, k=25),
                               explain_it)
                k += len(parts)


def check_file(source, lang: str = "zh", explain_it: bool = True, on_problem=None, name: str | None = None,
               on_read=None, limit: int | None = None) -> Iterator[tuple[dict, dict, Verdict]]:
    """(meta, message, verdict) for every message of an inbox file — a path, or a binary stream
    (an upload; ``name`` gives its file type) — in file order. Problems (a bad line, a note
    about the encoding) go to ``on_problem`` and never stop the file. Raises InboxError at once
    when the file cannot be read at all (missing, a directory, an unknown type)."""
    from .inbox import read_messages, read_stream

    note = on_problem or (lambda m: None)
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        items = read_messages(str(source), on_problem=note, on_read=on_read)
        name = name or str(source)
    else:
        name = name or getattr(source, "name", None) or "upload.txt"
        items = read_stream(source, name, note)
    return _file_verdicts(items, lang, explain_it, note, name, limit)


def _file_verdicts(items, lang, explain_it, note, name, limit):
    from collections import deque

    pending: deque = deque()  # only the messages in flight: constant memory on huge files

    def feed():
        for n, (meta, msg) in enumerate(items):
            if limit is not None and n >= limit:
                note(f"{name}: only the first {limit:,} messages were checked; run `verifier check -f {name}` for the whole file")
                return
            pending.append((meta, msg))
            yield msg

    for v in check_batch(feed(), lang=lang, explain_it=explain_it):
        meta, msg = pending.popleft()
        yield meta, msg, v


__all__ = ["check_one", "check_batch", "check_file", "coerce_text", "Evidence", "Verdict"]
