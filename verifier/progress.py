"""A progress bar on stderr for ``verifier check -f`` (only when stderr is a terminal): by bytes
of the file when its size is known (percentage and time left), else by messages."""
from __future__ import annotations


class Progress:
    def __init__(self, stream, total_bytes: int | None = None):
        from tqdm import tqdm

        self.by_bytes = bool(total_bytes)
        self._bar = tqdm(file=stream, desc="verifier", mininterval=0.2, dynamic_ncols=True,
                         **({"total": total_bytes, "unit": "B", "unit_scale": True} if self.by_bytes else {"unit": " msg"}))
        self._n = 0
        self._first_pass = False

    def first_pass(self, n: int) -> None:
        """Bytes read by the first pass (senders and times, for bursts), shown as such."""
        if not self._first_pass:
            self._first_pass = True
            self._bar.set_description("verifier: senders and times")
        self._bar.update(n - self._n)
        self._n = n

    def update(self, n: int) -> None:
        if self._first_pass:  # the checking pass begins: the bar starts again
            self._first_pass = False
            self._bar.reset()
            self._bar.set_description("verifier")
            self._n = 0
        self._bar.update(n - self._n)
        self._n = n

    def close(self, n: int | None = None) -> None:
        if n is not None:
            self.update(n)
        self._bar.close()
