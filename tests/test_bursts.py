"""Bursts have one definition (timeline.burst_flags: 3+ messages of one sender within an hour,
before or after), whatever the order of the messages and however they are split."""
import io
import json
import random

import pytest
from _scale_data import items as scale_items

from verifier import check_file, check_many, timeline

DEBT = "您的欠款已逾期，请尽快还款，否则我们将上门催收。"


def _naive(pairs):
    """The definition written the slow, obvious way."""
    keys = [timeline._burst_key(s, t) for s, t in pairs]
    return [k is not None and sum(1 for o in keys if o is not None and o[0] == k[0] and abs(o[1] - k[1]) <= timeline.BURST_WINDOW_S)
            >= timeline.BURST_COUNT for k in keys]


def _bursty(v) -> bool:
    return any(e.signal == "burst_collection" for e in v.evidence)


def test_burst_flags_is_symmetric_and_order_free():
    pairs = [("17012345678", "2026-11-20T10:30"), ("17012345678", "2026-11-20T10:00"),
             ("+86 170 1234 5678", "2026-11-20T10:50"),       # the same number written another way
             ("17012345678", "2026-11-20T12:00"),             # 70 minutes after 10:50: alone
             ("17012345678", None), (None, "2026-11-20T10:10"), ("95555", "2026-11-20T10:10")]
    assert timeline.burst_flags(pairs) == [True, True, True, False, False, False, False]
    for seed in range(5):
        shuffled = pairs[:]
        random.Random(seed).shuffle(shuffled)
        assert timeline.burst_flags(shuffled) == [dict(zip(pairs, timeline.burst_flags(pairs)))[p] for p in shuffled]


def test_burst_flags_matches_the_naive_definition():
    rng = random.Random(7)
    pairs = [(rng.choice(["170000001", "170000002", "95555", None]),
              rng.choice([None, 1795000000 + rng.randrange(0, 6 * 3600), "2026-11-20T10:00", "2026-11-20T11:00", "junk"]))
             for _ in range(600)]
    flags = timeline.burst_flags(pairs)
    assert flags == _naive(pairs)
    assert 0 < sum(flags) < len(flags)
    index = timeline.BurstIndex()
    for s, t in pairs:
        index.add(s, t)
    assert [index.flag(s, t) for s, t in pairs] == flags


def test_every_message_of_a_burst_is_flagged_in_any_order():
    """The old one-pass tracker flagged only the third message (in arrival order); training flags
    all three. check_many over a list now does what training does."""
    msgs = [{"text": DEBT, "sender": "17012345678", "received_at": t}
            for t in ("2026-11-20T10:40", "2026-11-20T10:00", "2026-11-20T10:20")]
    assert [_bursty(v) for v in check_many(msgs)] == [True, True, True]
    assert [_bursty(v) for v in check_many(msgs[:2])] == [False, False]
    # a one-shot iterator: the whole batch counts, not only what came before
    assert [_bursty(v) for v in check_many(iter(msgs))] == [True, True, True]


def test_a_given_flag_is_used_as_is():
    lone = {"text": DEBT, "sender": "17012345678", "received_at": "2026-11-20T10:00"}
    assert _bursty(next(check_many([dict(lone, burst=True)])))
    assert not _bursty(next(check_many([lone])))
    many = [dict(lone, burst=False)] * 3
    assert not any(_bursty(v) for v in check_many(many))
    assert _bursty(next(check_many([(DEBT, "17012345678", "2026-11-20T10:00", True)])))
    # a value that is not a flag is ignored, never a traceback
    for odd in ("yes", [1], {"a": 1}, 2, float("nan")):
        v = next(check_many([dict(lone, burst=odd)]))
        assert v.label and not _bursty(v)


def test_partitions_with_the_first_pass_flags_give_the_same_verdicts():
    msgs = scale_items(3000, seed=3)
    flags = timeline.burst_flags((m["sender"], m["received_at"]) for m in msgs)
    assert sum(flags) > 100  # the data has bursts
    whole = [v.to_dict() for v in check_many(msgs)]
    assert sum(1 for m, f, d in zip(msgs, flags, whole) if f and any(e["signal"] == "burst_collection" for e in d["evidence"])) > 20
    n = 8
    parts = [[dict(m, burst=f) for m, f in zip(msgs[k::n], flags[k::n])] for k in range(n)]
    split = {}
    for k, part in enumerate(parts):
        for j, v in enumerate(check_many(iter(part), batch_size=97)):  # iterators, other batch sizes: the flags decide
            split[k + j * n] = v.to_dict()
    assert [split[i] for i in range(len(msgs))] == whole
    # without the flags each partition only sees its own messages: the verdicts would differ
    alone = {}
    for k in range(n):
        for j, v in enumerate(check_many(msgs[k::n], explain=False)):
            alone[k + j * n] = v.label
    assert sum(alone[i] != whole[i]["label"] for i in range(len(msgs))) > 0


def test_order_does_not_change_a_list_s_verdicts():
    msgs = scale_items(1500, seed=5)
    ref = {i: v.to_dict() for i, v in enumerate(check_many(msgs, explain=False))}
    order = list(range(len(msgs)))
    random.Random(1).shuffle(order)
    got = {i: v.to_dict() for i, v in zip(order, check_many([msgs[i] for i in order], explain=False))}
    assert got == ref


def test_check_file_reads_keys_first_and_matches_the_list(tmp_path):
    msgs = scale_items(1200, seed=11)
    p = tmp_path / "inbox.jsonl"
    p.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in msgs) + "\n", encoding="utf-8")
    ref = [v.to_dict() for v in check_many(msgs)]
    assert [v.to_dict() for _, _, v in check_file(p)] == ref
    # an upload held in memory can seek back: two passes too (UTF-16 and all), and it is not closed early
    data = p.read_text(encoding="utf-8").encode("utf-16")
    assert [v.to_dict() for _, _, v in check_file(io.BytesIO(data), name="up.jsonl")] == ref
    # the first pass tells nothing about the messages: problems are reported once
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n" + json.dumps(msgs[0], ensure_ascii=False) + "\n", encoding="utf-8")
    problems = []
    assert len(list(check_file(bad, on_problem=problems.append))) == 1
    assert len(problems) == 1


class _Pipe(io.RawIOBase):
    """A stream that cannot seek (stdin, a pipe)."""

    def __init__(self, data: bytes):
        self._b = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buf):
        n = self._b.readinto(buf)
        return n


def test_a_stream_read_once_flags_within_its_batches(tmp_path):
    lines = [json.dumps({"text": DEBT, "sender": "17012345678", "received_at": t}, ensure_ascii=False)
             for t in ("2026-11-20T10:40", "2026-11-20T10:00", "2026-11-20T10:20")]
    stream = io.BufferedReader(_Pipe(("\n".join(lines) + "\n").encode()))
    assert not stream.seekable()
    assert [_bursty(v) for _, _, v in check_file(stream, name="stdin.jsonl")] == [True, True, True]


def test_burst_keys_do_not_depend_on_the_machine_time_zone(monkeypatch):
    import time

    pairs = [("17012345678", f"2026-03-08T0{h}:30") for h in (1, 2, 3)]  # a DST change in New York
    before = timeline.burst_flags(pairs)
    monkeypatch.setenv("TZ", "America/New_York")
    if hasattr(time, "tzset"):
        time.tzset()
    try:
        assert timeline.burst_flags(pairs) == before
        assert [timeline._burst_key(*p)[1] for p in pairs] == [1772904600.0 + 3600 * k for k in range(3)]
    finally:
        monkeypatch.undo()
        if hasattr(time, "tzset"):
            time.tzset()


@pytest.mark.parametrize("bad", [None, 123, b"\xff\xfe\xfd", "", "   "])
def test_bad_items_in_a_list_with_bursts_never_raise(bad):
    msgs = [{"text": DEBT, "sender": "17012345678", "received_at": "2026-11-20T10:00"}, {"text": bad, "sender": "17012345678",
            "received_at": "2026-11-20T10:05"}, {"text": DEBT, "sender": "17012345678", "received_at": "2026-11-20T10:10"}]
    out = list(check_many(msgs))
    assert len(out) == 3 and out[1].decided_by == "empty"
