"""Commands the timers send to the time-based handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Tick:
    """Evaluate the time-based rules as of ``now`` (the timer's clock, not the wall's)."""

    now: datetime
