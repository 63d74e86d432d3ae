"""What makes simulated figures look like each platform's: click-through rates, costs per
click, conversion rates and values in the ranges advertisers see, and account currencies with
their time zones. DEVELOPMENT AND TEST TOOL ONLY.

Search (Google) serves fewer impressions per campaign than the social feeds, whose cost per
thousand is lower: a campaign's daily impressions are drawn per platform too. The ranges are
typical published benchmarks (all industries, 2023-2025), in US dollars per
click and per conversion; an account in another currency pays the same amounts converted at
a fixed, round rate (:attr:`Locale.per_usd`), so a SAR account's CPC is ~3.75x its USD
twin's. Each campaign draws its own rate inside its platform's range, once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    impressions: tuple[float, float]  # on an average day, a campaign of usual size
    ctr_pct: tuple[float, float]  # clicks per 100 impressions
    cpc_usd: tuple[float, float]  # cost per click
    cvr_pct: tuple[float, float]  # conversions per 100 clicks
    value_usd: tuple[float, float]  # conversion value per conversion


PROFILES: dict[str, Profile] = {
    # Search: high intent, high CTR and conversion rate, dearer clicks.
    "google": Profile((2_000, 60_000), (2.0, 6.5), (0.80, 3.50), (2.5, 7.5), (40.0, 160.0)),
    "meta": Profile((20_000, 400_000), (0.9, 2.2), (0.45, 1.60), (1.0, 3.5), (35.0, 120.0)),
    "tiktok": Profile((30_000, 500_000), (0.6, 1.6), (0.30, 1.10), (0.5, 2.5), (25.0, 90.0)),
    # B2B: low CTR, the dearest clicks, valuable leads.
    "linkedin": Profile((5_000, 80_000), (0.40, 0.90), (3.50, 9.00), (2.0, 7.0), (150.0, 600.0)),
    "twitter": Profile((20_000, 300_000), (0.6, 1.8), (0.35, 1.40), (0.4, 1.8), (30.0, 110.0)),
}


@dataclass(frozen=True)
class Locale:
    currency: str
    exponent: int  # minor-unit digits (ISO 4217)
    per_usd: float  # a round, fixed rate: amounts only have to look right
    timezones: tuple[str, ...]

    @property
    def budget_step_minor(self) -> int:
        """People set round budgets: whole units, hundreds in currencies worth a cent or
        less (JPY)."""
        return 10**self.exponent * (100 if self.per_usd >= 50 else 1)


LOCALES: dict[str, Locale] = {
    "USD": Locale("USD", 2, 1.0, ("America/New_York", "America/Los_Angeles", "UTC")),
    "EUR": Locale("EUR", 2, 0.92, ("Europe/Berlin", "Europe/Paris")),
    "GBP": Locale("GBP", 2, 0.79, ("Europe/London",)),
    "SAR": Locale("SAR", 2, 3.75, ("Asia/Riyadh",)),
    "AED": Locale("AED", 2, 3.6725, ("Asia/Dubai",)),
    # Zero-decimal money, so every renderer and connector meets it.
    "JPY": Locale("JPY", 0, 150.0, ("Asia/Tokyo",)),
}
# An account's currency is drawn from this list (USD twice: the most common account
# currency); ``Dataset(currencies=...)`` or ``--currencies`` narrows it.
DEFAULT_CURRENCIES = ("USD", "EUR", "GBP", "SAR", "AED", "USD", "JPY")


def locale(currency: str) -> Locale:
    try:
        return LOCALES[currency]
    except KeyError:
        raise ValueError(f"unknown currency {currency!r}; one of {sorted(LOCALES)}") from None


def within(bounds: tuple[float, float], unit: float) -> float:
    """The point ``unit`` (0..1) of the way from the low to the high bound."""
    low, high = bounds
    return low + (high - low) * unit


def log_within(bounds: tuple[float, float], unit: float) -> float:
    """As :func:`within`, on a log scale: sizes spread over orders of magnitude."""
    low, high = bounds
    return float(low * (high / low) ** unit)
