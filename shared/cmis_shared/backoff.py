"""Capped exponential backoff: the one pause rule of restarts and infrastructure retries."""

from __future__ import annotations


def backoff_seconds(failures: int, initial: float, maximum: float) -> float:
    """The pause after the ``failures``-th failure in a row (1-based): initial, 2x, 4x, ...
    never above ``maximum``."""
    if failures < 1:
        return 0.0
    # Past 2**32 the cap has long been reached; bounding the exponent avoids an OverflowError.
    return min(initial * 2 ** min(failures - 1, 32), maximum)
