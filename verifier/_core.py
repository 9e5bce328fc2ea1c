"""The public API's implementation: analyse → classify → decide → explain."""
from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator

from . import explain
from .explain import Evidence, Verdict

EMPTY_MESSAGE = "the message is empty: paste the text of the SMS"


def coerce_text(text) -> str:
    """A str for any text-like input; ValueError when there is nothing to check."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", errors="replace")
    if text is None:
        raise ValueError(EMPTY_MESSAGE)
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip() or not any(c.isprintable() and not c.isspace() for c in text[:100_000]):
        raise ValueError(EMPTY_MESSAGE)
    return text


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return lang


def _build(analysis, probs: dict[str, float], lang: str) -> Verdict:
    from . import pipeline

    reg = pipeline.default().registry
    label, conf, decided_by = explain.decide(analysis.hits, probs)
    evidence = explain.evidence_of(analysis, lang)
    # sender / time facts as span-less evidence when no rule already speaks of them
    ev_signals = {e.signal for e in evidence}
    lender = analysis.lender
    notes = []
    if analysis.norm.truncated:
        notes.append("只分析了前 20,000 个字符。" if lang == "zh" else "Only the first 20,000 characters were analysed.")
    summary = explain.summary_of(label, evidence, lender, lang, decided_by)
    advice = explain.advice_of(label, evidence, lender, reg, lang)
    if label != "legitimate":
        evidence = [e for e in evidence if e.label != "legitimate"] + [e for e in evidence if e.label == "legitimate"]
    del ev_signals
    return Verdict(
        label=label, confidence=conf, summary=summary, evidence=tuple(evidence), advice=tuple(advice),
        lender=lender.to_dict() if lender is not None else None, decided_by=decided_by, probabilities=probs,
        lang=lang, notes=tuple(notes),
    )


def check_one(text, sender=None, received_at=None, lang="zh") -> Verdict:
    from . import model, pipeline

    lang = _lang(lang)
    text = coerce_text(text)
    a = pipeline.default().analyze(text, sender=sender, received_at=received_at)
    probs = model.default().predict_proba([a])[0]
    return _build(a, probs, lang)


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


def check_batch(items: Iterable, lang: str = "zh", batch_size: int = 512) -> Iterator[Verdict]:
    from . import model, pipeline

    lang = _lang(lang)
    pl = pipeline.default()
    m = model.default()
    it = iter(items)
    while True:
        chunk = list(islice(it, batch_size))
        if not chunk:
            return
        analyses: list = []
        for x in chunk:
            text, sender, when = _item(x)
            try:
                t = coerce_text(text)
            except (ValueError, TypeError) as e:
                analyses.append(e)
                continue
            analyses.append(pl.analyze(t, sender=sender, received_at=when))
        good = [a for a in analyses if not isinstance(a, Exception)]
        probs = iter(m.predict_proba(good)) if good else iter(())
        for a in analyses:
            if isinstance(a, Exception):
                yield empty_verdict(lang, None if isinstance(a, ValueError) else str(a))
            else:
                yield _build(a, next(probs), lang)


__all__ = ["check_one", "check_batch", "coerce_text", "Evidence", "Verdict"]
