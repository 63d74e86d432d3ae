"""Per-platform rate budget: paced dispatch, never a burst.

The algorithm is GCRA (generic cell rate algorithm): each grant pushes a "theoretical
arrival time" (TAT) forward by one emission interval, and a request is granted while the
TAT is at most ``tolerance`` ahead of now. Any run of ``n`` grants then spans at least
``(n - 1) * interval - tolerance``; with ``interval = (60 s + tolerance) / per_minute`` no
60-second window ever holds more than ``per_minute`` grants, whatever the arrival pattern.
The tolerance is one dispatch tick, so a tick can take its share in one batch.

Times are integer microseconds so the bound holds exactly (no float rounding). The shared
state lives in Redis for all replicas (:mod:`cmis_scheduler.adapters.rate_limiter`, which
runs this same arithmetic in a Lua script); :class:`PacedBudget` is the in-memory form.
"""

from __future__ import annotations

from dataclasses import dataclass

MICROS = 1_000_000
WINDOW_MICROS = 60 * MICROS


@dataclass(frozen=True)
class RateBudget:
    per_minute: int
    tolerance_micros: int = 0

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.tolerance_micros < 0:
            raise ValueError("a budget needs per_minute >= 1 and a non-negative tolerance")

    @property
    def interval_micros(self) -> int:
        # Rounded up: a slightly longer interval only makes the budget safer.
        return -(-(WINDOW_MICROS + self.tolerance_micros) // self.per_minute)


def grant(budget: RateBudget, tat: int | None, now: int, wanted: int) -> tuple[int, int | None]:
    """How many of ``wanted`` requests may go at ``now``, and the new TAT."""
    start = now if tat is None or tat < now else tat
    if wanted <= 0 or start - budget.tolerance_micros > now:
        return 0, tat
    granted = min(wanted, (now + budget.tolerance_micros - start) // budget.interval_micros + 1)
    return granted, start + granted * budget.interval_micros


class PacedBudget:
    """One platform's budget held in memory (tests, simulations, a single replica)."""

    def __init__(self, budget: RateBudget) -> None:
        self.budget = budget
        self._tat: int | None = None

    def available(self, now: int, wanted: int) -> int:
        return grant(self.budget, self._tat, now, wanted)[0]

    def take(self, now: int, wanted: int) -> int:
        granted, self._tat = grant(self.budget, self._tat, now, wanted)
        return granted
