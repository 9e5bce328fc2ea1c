"""check_many / check_file on all cores: batches of messages go to worker processes.

The parent reads the input, settles every message's burst flag (verifier.checker: the first pass
over a list or a file, or the stream tracker) and cuts the batches exactly as one process would;
the workers only run ``checker.check_chunk`` on them. So the verdicts, and their order, are the
ones a single process gives.

- Workers are started with "spawn" (no fork of a process that may hold threads or locks), and
  each warms up the model and the analyzer once, in its initializer.
- Results come back in input order; at most ``IN_FLIGHT`` batches per worker (and
  ``MAX_CHARS_IN_FLIGHT`` characters) are in flight, so memory stays bounded on a huge file.
- An input of fewer than ``MIN_CHUNKS`` batches is checked in this process: starting the workers
  would cost more than it saves.
- Workers ignore Ctrl-C (the parent handles it and stops them); when the consumer stops early
  (Ctrl-C, a closed pipe, a ``break``) the workers are stopped too.
- A batch whose worker failed (a worker killed, an item that cannot be pickled) is checked again
  in this process, which gives the single-process answer or raises what it would raise.
- Nothing is logged: no message text leaves the processes except as the verdicts.
"""
from __future__ import annotations

from collections import deque
from itertools import chain, islice
from typing import Iterable, Iterator

MIN_CHUNKS = 4                      # batches read before deciding whether a pool is worth starting
IN_FLIGHT = 2                       # batches in flight per worker
MAX_CHARS_IN_FLIGHT = 32_000_000    # characters of text in flight, whatever the number of workers

_WARM_UP = "【招商银行】您尾号6688的信用卡本期账单5,680.12元，到期还款日07月25日。"


def _init() -> None:
    """Once per worker: Ctrl-C is the parent's to handle; load the model, the analyzer and jieba."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover - not the main thread
        pass
    from .checker import check_chunk

    check_chunk([(_WARM_UP, "95555", "2026-01-01T10:00")], [False])


def _work(rows: list, flags: list, lang: str, explain_it: bool):
    from .checker import check_chunk

    return check_chunk(rows, flags, lang, explain_it)


def _chars(rows) -> int:
    return sum(len(r[0]) for r in rows if isinstance(r[0], (str, bytes)))


def _stop(ex, abandoned: bool) -> None:
    if not abandoned:
        ex.shutdown(wait=True)
        return
    ex.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(ex, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    for p in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):  # pragma: no cover - already gone
            pass


def check_chunks(chunks: Iterable[tuple[list, list]], lang: str, explain_it: bool, jobs: int) -> Iterator:
    """Verdicts of (rows, flags) batches, in order, using ``jobs`` worker processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .checker import check_chunk

    chunks = iter(chunks)
    head = list(islice(chunks, MIN_CHUNKS))
    if jobs <= 1 or len(head) < MIN_CHUNKS:
        for rows, flags in chain(head, chunks):
            yield from check_chunk(rows, flags, lang, explain_it)
        return
    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_init)
    pending: deque = deque()  # (rows, flags, future or None, chars)
    in_flight_chars = 0
    broken = False
    done = False

    def result(entry):
        rows, flags, fut, _ = entry
        if fut is not None:
            try:
                return fut.result()
            except Exception:  # a worker died or an item cannot be pickled: this process answers
                pass
        return check_chunk(rows, flags, lang, explain_it)

    try:
        for rows, flags in chain(head, chunks):
            fut = None
            if not broken:
                try:
                    fut = ex.submit(_work, rows, flags, lang, explain_it)
                except RuntimeError:  # BrokenProcessPool (a RuntimeError): go on in this process
                    broken = True
            n = _chars(rows)
            pending.append((rows, flags, fut, n))
            in_flight_chars += n
            while len(pending) >= jobs * IN_FLIGHT or (len(pending) > 1 and in_flight_chars > MAX_CHARS_IN_FLIGHT):
                entry = pending.popleft()
                in_flight_chars -= entry[3]
                yield from result(entry)
        while pending:
            entry = pending.popleft()
            in_flight_chars -= entry[3]
            yield from result(entry)
        done = True
    finally:
        _stop(ex, abandoned=not done)


__all__ = ["check_chunks", "MIN_CHUNKS"]
