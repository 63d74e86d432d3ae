"""The simulator's per-day draws: pure functions of a 64-bit hash. DEVELOPMENT AND TEST TOOL
ONLY.

A day's figures derive from ``mix(campaign hash ^ day ordinal)``: the same seed always gives
the same day, whatever range it is read in. Steady series: a weekly rhythm and close-to-normal
noise; noisy series: every day drawn on its own; conversions: a Poisson count (steady).
"""

from __future__ import annotations

import math

MASK64 = (1 << 64) - 1
# Monday .. Sunday: weekdays deliver more than weekends.
WEEKDAY = (1.0, 1.06, 1.08, 1.04, 0.98, 0.82, 0.78)
WEEK_MEAN = sum(WEEKDAY) / 7
# The most a day's draw can multiply a campaign's impressions, CTR and CPC by, per series: a
# bound on a day's spend, so campaigns that can never reach a period's budget skip its pacing.
STEADY_PEAK = (max(WEEKDAY) * 1.3, 1.24, 1.15)  # the noise draws stay within +-3 sd
NOISY_PEAK = (1.7, 1.5, 1.3)

Delivery = tuple[int, int, int]  # impressions, clicks, spend in minor units


def steady_delivery(level: float, ctr: float, cpc_minor: float, weekday: int, h: int) -> Delivery:
    """The weekly rhythm and close-to-normal noise (sd ~10 % on impressions, 8 % on CTR, 5 %
    on CPC)."""
    impressions = max(0, round(level * WEEKDAY[weekday] * (1 + 0.10 * gauss(h, 0))))
    clicks = min(impressions, max(0, round(impressions * ctr * (1 + 0.08 * gauss(h, 12)))))
    return impressions, clicks, round(clicks * cpc_minor * (1 + 0.05 * gauss(h, 24)))


def noisy_delivery(level: float, ctr: float, cpc_minor: float, h: int) -> Delivery:
    """Every day drawn on its own around the campaign's rates: wide spread, and one day in 13
    without delivery."""
    if h % 13 == 0:
        return 0, 0, 0
    impressions = round(level * (0.3 + 1.4 * unit(h, 4)))
    clicks = min(impressions, round(impressions * ctr * (0.5 + unit(h, 20))))
    return impressions, clicks, round(clicks * cpc_minor * (0.7 + 0.6 * unit(h, 32)))


def steady_conversions(mean: float, h: int, google: bool) -> float:
    conv = poisson(mean, h)  # counting noise
    if google and conv and (h >> 62) & 1:
        conv -= 0.5  # Google's attributed conversions come in fractions
    return conv


def noisy_conversions(mean: float, h: int) -> float:
    return mean * 2 * unit(h, 44)


def poisson(mean: float, h: int) -> float:
    """A count of independent events (conversions) with this mean, drawn from ``h``: by the
    inverse of the Poisson distribution up to a mean of 50 (its lower tail is thin: a usual
    10 a day almost never falls to 0 or 1), by the normal approximation above."""
    if mean <= 0:
        return 0.0
    if mean > 50:
        return max(0.0, round(mean + mean**0.5 * gauss(h, 36)))
    draw = ((h >> 36) & 0xFFFFFF) / 0x1000000
    k, p = 0, math.exp(-mean)
    cdf = p
    while draw > cdf and k < 200:
        k += 1
        p *= mean / k
        cdf += p
    return float(k)


def unit(h: int, shift: int) -> float:
    """A uniform draw in [0, 1] from an 8-bit slice of ``h``."""
    return ((h >> shift) & 0xFF) / 255


def gauss(h: int, shift: int) -> float:
    """A close-to-normal draw (mean 0, sd 1, within +-3) from three 4-bit slices of ``h``."""
    u = [((h >> (shift + 4 * i)) & 0xF) / 15 for i in range(3)]
    return (sum(u) - 1.5) * 2


def mix(x: int) -> int:
    """splitmix64: a cheap, well-spread integer hash for per-day figures."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)
