"""Checking millions of messages on a Dask cluster (``pip install "cuishou-verifier[scale]"``).

Two passes, as in check_file:

1. **Bursts** — a message is in a burst when its sender sent 3+ messages within an hour of it,
   so the flag needs every message of that sender. For a list in this process, the keys pass
   (``timeline.burst_flags``, senders and times only) gives the flags. For a ``dask.bag.Bag``
   too big for one machine, ``burst_index`` groups the keys by sender on the cluster
   (``Bag.foldby``) and brings back only the timestamps that are in a burst.
2. **Check** — batches of messages, each carrying its flag, go to the workers; each worker has
   loaded the model and the analyzer once (``WarmUp``, a worker plugin; ``verifier.model.default``
   and ``verifier.analysis.default`` are also cached per process). The verdicts are those of
   ``check_many`` in one process, in the same order.

    from verifier.scale import local_client, check_many_dask

    with local_client(n_workers=4) as client:          # 127.0.0.1 only, no dashboard
        for v in check_many_dask(messages, client, explain=False):
            ...

Nothing here opens a connection beyond the loopback address of the local cluster.
"""
from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from typing import Iterator

try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - verifier works without dask; only this module needs it
    _WorkerPlugin = object

PARTITION = 2_000   # messages per task


class WarmUp(_WorkerPlugin):
    """Loads the model, the analyzer and jieba once per worker, when the worker starts."""

    name = "verifier-warm-up"

    def setup(self, worker=None):
        from .parallel import _WARM_UP
        from .checker import check_chunk

        check_chunk([(_WARM_UP, "95555", "2026-01-01T10:00")], [False])


@contextmanager
def local_client(n_workers: int | None = None, **cluster_options):
    """A Dask client on a LocalCluster of ``n_workers`` processes (default: all cores), one thread
    each, listening on 127.0.0.1 only and without the dashboard; the workers are warmed up."""
    import os

    from distributed import Client, LocalCluster

    opts = dict(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None)
    opts.update(cluster_options)
    with LocalCluster(**opts) as cluster, Client(cluster) as client:
        client.register_plugin(WarmUp())
        yield client


def _check_part(rows: list, lang: str, explain: bool) -> list:
    """On a worker: verdicts of (text, sender, received_at, burst) rows, burst flags given."""
    from .checker import check_batch

    return list(check_batch(rows, lang=lang, explain_it=explain))


def check_many_dask(items, client, lang: str = "zh", explain: bool = True, partition_size: int = PARTITION,
                    in_flight: int | None = None) -> Iterator:
    """check_many on a Dask cluster: the same verdicts, in the same order.

    ``items`` is a list (or any sequence) of messages as check_many takes them. Their burst flags
    come from the keys pass over the whole list (a flag an item already carries is kept); then
    batches of ``partition_size`` go to the workers, at most ``in_flight`` at a time (default:
    twice the workers), and the verdicts are yielded in order."""
    from .checker import _burst_given, _item, _lang
    from .timeline import burst_flags

    lang = _lang(lang)
    flags = burst_flags(_item(x)[1:3] for x in items)
    limit = in_flight or 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending: deque = deque()
    try:
        for start in range(0, len(items), partition_size):
            rows = []
            for x, f in zip(items[start:start + partition_size], flags[start:start + partition_size]):
                g = _burst_given(x)
                rows.append((*_item(x), f if g is None else g))
            pending.append(client.submit(_check_part, rows, lang, explain, pure=False))
            while len(pending) >= limit:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()


def _key_of(msg) -> tuple | None:
    from .checker import _item
    from .timeline import _burst_key

    return _burst_key(*_item(msg)[1:3])


def _add_time(times: tuple, kt: tuple) -> tuple:
    return times + (kt[1],)


def _merge_times(a: tuple, b: tuple) -> tuple:
    return a + b


def burst_index(bag):
    """The first pass on the cluster, for a ``dask.bag.Bag`` of messages (dicts with
    text/sender/received_at): the keys grouped by sender (``foldby``), each sender's burst
    timestamps computed where its keys are, and only those brought back — a
    ``timeline.BurstIndex`` to give ``check_bag``."""
    from .timeline import BurstIndex, hot_times

    keys = bag.map(_key_of).filter(lambda kt: kt is not None)
    grouped = keys.foldby(lambda kt: kt[0], _add_time, (), _merge_times, ())
    hot = grouped.map(lambda kv: (kv[0], hot_times(kv[1]))).filter(lambda kv: len(kv[1]) > 0)
    return BurstIndex.from_hot(dict(hot.compute()))


def _check_bag_part(msgs: list, index, lang: str, explain: bool) -> list:
    from .checker import _burst_given, _item, check_batch

    rows = []
    for m in msgs:
        g = _burst_given(m)
        text, sender, when = _item(m)
        rows.append((text, sender, when, index.flag(sender, when) if g is None else g))
    return [v.to_dict() for v in check_batch(rows, lang=lang, explain_it=explain)]


def check_bag(bag, index, lang: str = "zh", explain: bool = True):
    """The second pass, lazily: a Bag of verdict dicts (``Verdict.to_dict()``), one per message of
    ``bag`` in its order, bursts from ``index`` (``burst_index(bag)``). Write it out with
    ``.map(json.dumps).to_textfiles(...)`` — the message text never comes to this process."""
    return bag.map_partitions(_check_bag_part, index, lang, explain)


__all__ = ["WarmUp", "local_client", "check_many_dask", "burst_index", "check_bag"]
