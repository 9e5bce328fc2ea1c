"""Many messages for the scale tests: the corpus texts repeated, with senders and times varied so
that bursts (3+ messages of one sender within an hour) occur, out of time order."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


@lru_cache(maxsize=1)
def corpus_texts() -> tuple[str, ...]:
    texts = []
    for p in sorted(CORPUS.glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return tuple(texts)


def items(n: int, seed: int = 19, per_sender: int = 12, span_hours: float = 48.0) -> list[dict]:
    """``n`` messages, in an order unrelated to their times: about ``per_sender`` messages from
    each sender (mobiles, virtual numbers, service numbers) spread over ``span_hours``; one in
    ten has no sender or no time."""
    rng = random.Random(seed)
    texts = corpus_texts()
    senders = max(1, n // per_sender)
    base = datetime(2026, 11, 20, 0, 0)
    out = []
    for i in range(n):
        s = rng.randrange(senders)
        sender = (f"170{s:08d}", f"138{s:08d}", f"9{s % 900 + 5500}")[s % 3]
        when = (base + timedelta(seconds=rng.uniform(0, span_hours * 3600))).isoformat(timespec="minutes")
        r = rng.random()
        out.append({"text": texts[(i * 7919) % len(texts)],
                    "sender": None if r < 0.05 else sender,
                    "received_at": None if 0.05 <= r < 0.1 else when})
    return out
