"""A progress bar on stderr for ``verifier check -f`` (only when stderr is a terminal)."""
from __future__ import annotations


class Progress:
    def __init__(self, stream):
        from tqdm import tqdm

        self._bar = tqdm(file=stream, unit=" msg", desc="verifier", mininterval=0.2, dynamic_ncols=True)
        self._n = 0

    def update(self, n: int) -> None:
        self._bar.update(n - self._n)
        self._n = n

    def close(self, n: int) -> None:
        self.update(n)
        self._bar.close()
