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

    def update(self, n: int) -> None:
        self._bar.update(n - self._n)
        self._n = n

    def close(self, n: int | None = None) -> None:
        if n is not None:
            self.update(n)
        self._bar.close()
