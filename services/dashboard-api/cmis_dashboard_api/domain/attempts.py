"""Failed attempts counted per key (a client address) in fixed windows, in memory and
bounded: past ``limit`` failures a key is refused until its window ends."""

from __future__ import annotations

import math
from collections import OrderedDict


class FailedAttempts:
    def __init__(self, limit: int, window_seconds: float, max_keys: int = 100_000) -> None:
        self._limit = limit
        self._window = window_seconds
        self._max_keys = max_keys
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def retry_after(self, key: str, now: float) -> int | None:
        """Seconds until ``key`` may try again, or ``None`` when it may try now."""
        window = self._windows.get(key)
        if window is None or window[0] + self._window <= now or window[1] < self._limit:
            return None
        return max(1, math.ceil(window[0] + self._window - now))

    def record(self, key: str, now: float) -> None:
        start, count = self._windows.get(key, (now, 0))
        if start + self._window <= now:
            start, count = now, 0
        self._windows[key] = (start, count + 1)
        self._windows.move_to_end(key)
        # Oldest addresses go first; an address flooding failures keeps itself at the end.
        while len(self._windows) > self._max_keys:
            self._windows.popitem(last=False)
