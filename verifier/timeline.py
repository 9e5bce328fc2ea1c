"""When a message arrived, and whether it came in a burst from the same sender.

Times are China time (Asia/Shanghai). A burst is BURST_COUNT or more messages from one sender
within BURST_WINDOW_S of each other; it needs both the sender and the time.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .extract import phones

_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$")


CHINA = timezone(timedelta(hours=8))  # Asia/Shanghai: no daylight saving since 1991


def parse_time(value) -> datetime | None:
    """When a message arrived, as a naive datetime in China time (Asia/Shanghai): epoch seconds or
    milliseconds (SMS backups) are converted, ISO times with an offset or "Z" are converted, and
    ISO times without one are taken to be China time already. None when it cannot be read."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.astimezone(CHINA).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (int, float)):
        try:
            ts = float(value)
            if ts > 1e11:  # milliseconds (Android SMS backups)
                ts /= 1000
            return datetime.fromtimestamp(ts, CHINA).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return None
    s = str(value).strip().replace("/", "-")
    if s.isdigit() and 9 <= len(s) <= 13:  # epoch seconds or milliseconds written as text
        return parse_time(int(s))
    m = _ISO.match(s)
    if m:  # the common "2026-11-20T23:40[:05]" without strptime's cost
        try:
            return datetime(*(int(g) for g in m.groups() if g is not None))
        except ValueError:
            return None
    try:
        d = datetime.fromisoformat(s)
        return d.astimezone(CHINA).replace(tzinfo=None) if d.tzinfo else d
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M", "%H:%M"):
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None


BURST_COUNT = 3          # this many messages from one sender …
BURST_WINDOW_S = 3600    # … within an hour is a burst (harassing frequency)


def _burst_key(sender, received_at) -> tuple[str, float] | None:
    """(sender key, timestamp) of a message, or None when sender or time is missing."""
    when = parse_time(received_at)
    if not sender or when is None:
        return None
    try:
        return phones.canonical(str(sender)) or str(sender), when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


class BurstTracker:
    """Flags messages that arrive in a burst from the same sender (needs sender and time), for a
    stream: each message is compared with the ones seen before it."""

    def __init__(self, keep: int = 64, senders: int = 100_000):
        self.seen: dict[str, list[float]] = {}
        self.keep = keep
        self.senders = senders  # memory stays bounded on an inbox of millions of senders

    def flag(self, sender, received_at) -> bool:
        kt = _burst_key(sender, received_at)
        if kt is None:
            return False
        key, ts = kt
        lst = self.seen.pop(key, None)
        if lst is None:
            lst = []
            if len(self.seen) >= self.senders:  # forget the sender seen longest ago
                del self.seen[next(iter(self.seen))]
        self.seen[key] = lst
        lst.append(ts)
        if len(lst) > self.keep:
            del lst[0]
        near = sum(1 for x in lst if abs(x - ts) <= BURST_WINDOW_S)
        return near >= BURST_COUNT


def burst_flags(items) -> list[bool]:
    """Burst flag of each (sender, received_at) pair, looking at the whole list (training, batches)."""
    keys = [_burst_key(sender, when) for sender, when in items]
    by_sender: dict[str, list[float]] = {}
    for kt in keys:
        if kt is not None:
            by_sender.setdefault(kt[0], []).append(kt[1])
    return [kt is not None and sum(1 for x in by_sender[kt[0]] if abs(x - kt[1]) <= BURST_WINDOW_S) >= BURST_COUNT
            for kt in keys]
