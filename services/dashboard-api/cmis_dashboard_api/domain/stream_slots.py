"""Live streams held open, capped per user and per process: one user cannot take every slot,
and the process never holds more streams than it can serve."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable


class StreamSlot:
    """One open stream's slot; releasing it twice frees it once (the stream's end and the
    response's background task both release, so a stream that never started frees too)."""

    def __init__(self, slots: StreamSlots, user: Hashable) -> None:
        self._slots = slots
        self._user = user
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.free(self._user)


class StreamSlots:
    def __init__(self, per_user: int, per_process: int) -> None:
        self._per_user = per_user
        self._per_process = per_process
        self._by_user: Counter[Hashable] = Counter()
        self._total = 0

    def acquire(self, user: Hashable) -> StreamSlot | None:
        """A slot for ``user``, or ``None`` when the user or the process is at its cap."""
        if self._total >= self._per_process or self._by_user[user] >= self._per_user:
            return None
        self._by_user[user] += 1
        self._total += 1
        return StreamSlot(self, user)

    def free(self, user: Hashable) -> None:
        self._by_user[user] -= 1
        if self._by_user[user] <= 0:
            del self._by_user[user]
        self._total -= 1

    @property
    def open(self) -> int:
        return self._total
