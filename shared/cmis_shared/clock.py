"""The one clock every service's handlers and loops take: a function returning aware UTC now.

Domain code takes ``now`` as an argument; handlers and loops take a :data:`Clock` so tests can
drive time with :class:`ManualClock` instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from cmis_shared.events import utc_now

Clock = Callable[[], datetime]

system_clock: Clock = utc_now


class ManualClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> datetime:
        self._now += by
        return self._now

    def set(self, to: datetime) -> None:
        self._now = to
