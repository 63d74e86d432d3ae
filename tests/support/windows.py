"""Counting events in sliding time windows: the check behind every rate-budget figure."""

from __future__ import annotations

from collections.abc import Sequence


def max_in_any_window(times: Sequence[float], window: float) -> int:
    """The most events in any half-open window [t, t + window); ``times`` sorted."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
