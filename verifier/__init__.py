"""verifier: is this debt-collection SMS legitimate, suspicious, abusive or a scam — and why?

    >>> from verifier import check
    >>> v = check("【招商银行】您尾号6688的信用卡已逾期…", sender="95555")
    >>> v.label, v.summary, v.advice

Everything runs offline. Heavy parts (registry, rules, jieba, the model) load on first use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:  # pragma: no cover
    from .verdict import Evidence, Verdict

__all__ = ["check", "check_many", "check_file", "Verdict", "Evidence"]
__version__ = "0.1.0"


def __getattr__(name):  # lazy: `import verifier` stays cheap
    if name in ("Verdict", "Evidence"):
        from . import verdict

        return getattr(verdict, name)
    raise AttributeError(name)


def check(text, sender: str | None = None, received_at=None, lang: str = "zh") -> "Verdict":
    """Check one message. Raises ValueError for empty text.

    ``sender`` is the number it came from (95588, 1069…, +852…), ``received_at`` an ISO time
    ("2026-11-20T23:40") or datetime, ``lang`` "zh" or "en" for the explanations.
    """
    from .checker import check_one

    return check_one(text, sender=sender, received_at=received_at, lang=lang)


def check_many(items: Iterable, lang: str = "zh", batch_size: int = 512, explain: bool = True,
               jobs: int = 1) -> Iterator["Verdict"]:
    """Check many messages (texts, or dicts with text/sender/received_at); yields a Verdict for
    each, in order. Empty texts yield a 'suspicious' verdict that says the text was empty rather
    than stopping the batch. Much faster per message than calling check() in a loop.

    ``explain=False`` is the labels-only path: the same label, confidence and decided_by, but no
    summary, evidence or advice are written (faster when only the labels are wanted).

    Bursts (BURST_COUNT or more messages of one sender within an hour of each other, before or
    after, in any order — verifier.timeline.burst_flags):

    - a list (any sequence) gets a first pass over the senders and times of the whole list, so a
      message's verdict does not depend on how the list is ordered, batched or split;
    - an item may carry its own flag (a dict's ``"burst": True/False``, a tuple's 4th value): it is
      used as is — that is how partitions of a larger set get the answer of the whole set;
    - a one-shot iterator (a generator, a file object) cannot be read twice: a message is
      compared with the messages before it and with every message of its own batch
      (``batch_size``), so a burst that straddles two batches can leave its first messages
      unflagged. Pass a list, or the flags, for the exact answer.

    ``jobs`` worker processes check the batches (1, the default: this process; 0 or None: all
    cores); the verdicts and their order are the same. An input of fewer than a few batches is
    checked in this process whatever ``jobs``. As with any multiprocessing code, a script that
    uses ``jobs`` > 1 must guard its entry point with ``if __name__ == "__main__":``."""
    from .checker import check_batch

    return check_batch(items, lang=lang, batch_size=batch_size, explain_it=explain, jobs=jobs)


def check_file(source, lang: str = "zh", explain: bool = True, on_problem=None,
               name: str | None = None, jobs: int = 1) -> Iterator[tuple[dict, dict, "Verdict"]]:
    """Check every message of an exported inbox: a path or a binary file object holding JSON
    lines, a JSON array, CSV, text (one message a line) or an SMS Backup & Restore XML, in UTF-8,
    GBK or UTF-16. Yields (meta, message, verdict) in file order; meta has the line (and id);
    ``on_problem(text)`` hears about lines that could not be read; ``name`` is a stream's file
    name, whose extension says its format (a path's own name is used otherwise). Raises ValueError
    (verifier.inbox.InboxError) when the file cannot be read at all.

    Bursts: a file on disk (or a stream that can seek back) is read twice — first only the
    senders and times, to flag bursts over the whole file, then to check — so the verdicts are
    those of the whole file. A stream that can be read only once (stdin, a pipe) is flagged as a
    one-shot iterator is in check_many. ``jobs`` as in check_many.

    Example::

        for meta, msg, v in check_file("backup.xml"):
            print(meta["line"], v.label, msg["text"][:30])
    """
    from .checker import check_file as _check_file

    return _check_file(source, lang=lang, explain_it=explain, on_problem=on_problem, name=name, jobs=jobs)
