"""When a message arrived, and whether it came in a burst from the same sender.

Times are China time (Asia/Shanghai). A message is in a burst when its sender sent BURST_COUNT or
more messages (itself included) within BURST_WINDOW_S of it, before or after; it needs both the
sender and the time. ``burst_flags`` / ``BurstIndex`` are the definition over a whole set of
messages; ``BurstTracker`` is the stand-in for a stream that can only be read once.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
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
    """(sender key, timestamp) of a message, or None when sender or time is missing. The
    timestamp is China time's (the machine's own time zone plays no part), so every process and
    every machine agrees on it."""
    when = parse_time(received_at)
    if not sender or when is None:
        return None
    try:
        return phones.canonical(str(sender)) or str(sender), when.replace(tzinfo=CHINA).timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def _in_window(times, ts: float) -> int:
    """How many of the sorted ``times`` are within BURST_WINDOW_S of ``ts`` (``ts`` itself included)."""
    return bisect_right(times, ts + BURST_WINDOW_S) - bisect_left(times, ts - BURST_WINDOW_S)


def hot_times(times) -> frozenset:
    """Of one sender's timestamps (any order, repeats allowed), those in a burst: the definition."""
    if len(times) < BURST_COUNT:
        return frozenset()
    srt = sorted(times)
    return frozenset(t for t in srt if _in_window(srt, t) >= BURST_COUNT)


class BurstIndex:
    """The burst definition over a whole set of messages, from their keys alone: a message is in a
    burst when its sender sent BURST_COUNT or more messages (itself included) within
    BURST_WINDOW_S of it, earlier or later, in any order. Symmetric: every message of a burst is
    flagged, and the answer does not depend on the order or on how the messages are split.

    Two steps: ``add`` every (sender, received_at), then ``flag`` any of them. Only keys are kept
    (a sender string per distinct sender, 8 bytes per timestamp), never message text; ``finish``
    then keeps only the timestamps that are in a burst."""

    def __init__(self):
        self._times: dict[str, array] = {}
        self._flagged: dict[str, frozenset] | None = None

    def add(self, sender, received_at) -> tuple[str, float] | None:
        """Count one message; returns its key (None when it has no sender or no time)."""
        kt = _burst_key(sender, received_at)
        if kt is not None:
            if self._flagged is not None:
                raise RuntimeError("BurstIndex.add after finish")
            times = self._times.get(kt[0])
            if times is None:
                times = self._times[kt[0]] = array("d")
            times.append(kt[1])
        return kt

    def finish(self) -> "BurstIndex":
        """Sort each sender's times and keep, per sender, the set of timestamps in a burst."""
        if self._flagged is None:
            flagged: dict[str, frozenset] = {}
            for key, times in self._times.items():
                hot = hot_times(times)
                if hot:
                    flagged[key] = hot
            self._flagged, self._times = flagged, {}
        return self

    @classmethod
    def from_hot(cls, hot: dict[str, frozenset]) -> "BurstIndex":
        """An index already finished elsewhere (a group-by sender on a cluster): sender key →
        hot_times of that sender."""
        index = cls()
        index._flagged = {k: frozenset(v) for k, v in hot.items() if v}
        return index

    def flagged(self, kt: tuple[str, float] | None) -> bool:
        """Burst flag of a key returned by ``add``."""
        if self._flagged is None:
            self.finish()
        return kt is not None and kt[1] in self._flagged.get(kt[0], ())

    def flag(self, sender, received_at) -> bool:
        """Burst flag of a message that was added."""
        return self.flagged(_burst_key(sender, received_at))

    def __len__(self) -> int:
        """Senders with at least one message in a burst (after ``finish``)."""
        return len(self.finish()._flagged)


def burst_flags(items) -> list[bool]:
    """Burst flag of each (sender, received_at) pair, looking at the whole list: THE definition
    (training, check_many over a list, the first pass of check_file). O(n log n)."""
    index = BurstIndex()
    keys = [index.add(sender, when) for sender, when in items]
    index.finish()
    return [index.flagged(kt) for kt in keys]


class BurstTracker:
    """Burst flags for a stream that cannot be read twice (a one-shot iterator, stdin): each batch
    of messages is flagged against the messages before it and every message of the batch itself,
    earlier or later. Within a batch this is the whole-list definition; a burst that straddles two
    batches may leave the messages before the boundary unflagged. Memory stays bounded: the last
    ``keep`` timestamps of the last ``senders`` senders are remembered."""

    def __init__(self, keep: int = 64, senders: int = 100_000):
        self.seen: dict[str, list[float]] = {}
        self.keep = keep
        self.senders = senders  # memory stays bounded on an inbox of millions of senders

    def _remember(self, key: str, ts: float) -> None:
        lst = self.seen.pop(key, None)
        if lst is None:
            lst = []
            if len(self.seen) >= self.senders:  # forget the sender seen longest ago
                del self.seen[next(iter(self.seen))]
        self.seen[key] = lst
        lst.append(ts)
        if len(lst) > self.keep:
            del lst[0]

    def flags(self, pairs) -> list[bool]:
        """Burst flags of one batch of (sender, received_at) pairs."""
        keys = [_burst_key(sender, when) for sender, when in pairs]
        for kt in keys:
            if kt is not None:
                self._remember(*kt)
        out = []
        for kt in keys:
            lst = self.seen.get(kt[0]) if kt is not None else None
            out.append(lst is not None and sum(1 for x in lst if abs(x - kt[1]) <= BURST_WINDOW_S) >= BURST_COUNT)
        return out

    def flag(self, sender, received_at) -> bool:
        """One message as a batch of its own: only the messages before it count."""
        return self.flags([(sender, received_at)])[0]
