"""The simulator's data: a pure function of a seed, a size and an end date.

DEVELOPMENT AND TEST TOOL ONLY. Every figure comes from hashing (seed, platform, account,
...), so tests compute the expected result by calling this module directly, without HTTP.
Any account id works (its currency, time zone and campaigns derive from the id);
:meth:`Dataset.account_ids` lists ``size.accounts`` canonical ids per platform for demos.

Records use the field names of the connectors' normalized model, with money held as
exact integer minor units and exposed as ``Decimal`` properties; the per-platform renderers
turn them into each platform's own formats (micros, minor-unit strings, decimal strings).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from .anomalies import Anomaly, AnomalyBook, scaled_conversions, scaled_int

PLATFORMS = ("google", "meta", "tiktok", "linkedin", "twitter")

# (currency, minor-unit exponent, time zone): JPY exercises zero-decimal money.
_LOCALES = (
    ("USD", 2, "America/New_York"),
    ("EUR", 2, "Europe/Berlin"),
    ("JPY", 0, "Asia/Tokyo"),
    ("GBP", 2, "Europe/London"),
    ("USD", 2, "UTC"),
)
_STATUSES = {
    "google": ("active", "active", "active", "paused", "removed"),
    "meta": ("active", "active", "paused", "removed", "archived"),
    "tiktok": ("active", "active", "active", "paused", "removed"),
    "linkedin": ("active", "active", "paused", "archived", "draft", "removed"),
    "twitter": ("active", "active", "active", "paused", "draft", "removed"),
}
_ACCOUNT_BASE = {
    "google": 1_000_000_000,
    "meta": 100_000_000_000,
    "tiktok": 7_000_000_000_000_000_000,
    "linkedin": 500_000_000,
    "twitter": 0,
}
_WORDS = ("Spring", "Launch", "Retarget", "Brand", "Promo", "Évènement", "Always-on", "Q4 ✨")


@dataclass(frozen=True)
class Size:
    accounts: int = 5
    campaigns: int = 8
    days: int = 60
    posts: int = 12
    # "noisy": every day drawn independently (wide spread, one day in 13 without delivery);
    # "steady": per campaign a level, a weekly rhythm and moderate day-to-day noise, like real
    # delivery, so anomaly rules can tell an injected anomaly from the series' own variation.
    series: str = "noisy"


@dataclass(frozen=True)
class Account:
    platform: str
    account_id: str
    currency: str
    exponent: int
    timezone: str


@dataclass(frozen=True)
class Campaign:
    external_id: str
    name: str
    status: str
    currency: str
    exponent: int
    budget_minor: int | None
    budget_period: str | None  # "daily" | "lifetime"
    start_date: date | None
    end_date: date | None

    @property
    def budget_amount(self) -> Decimal | None:
        return (
            None if self.budget_minor is None else Decimal(self.budget_minor).scaleb(-self.exponent)
        )


@dataclass(frozen=True)
class DailyMetric:
    campaign_external_id: str
    day: date
    currency: str
    exponent: int
    impressions: int
    clicks: int
    spend_minor: int
    conversions: Decimal
    conversion_value_minor: int

    @property
    def spend(self) -> Decimal:
        return Decimal(self.spend_minor).scaleb(-self.exponent)

    @property
    def conversion_value(self) -> Decimal:
        return Decimal(self.conversion_value_minor).scaleb(-self.exponent)


@dataclass(frozen=True)
class Post:
    external_id: str
    text: str
    published_at: datetime
    likes: int
    comments: int
    shares: int
    impressions: int


class Dataset:
    def __init__(
        self,
        seed: int = 42,
        size: Size | None = None,
        end_date: date | None = None,
        anomalies: AnomalyBook | None = None,
    ) -> None:
        self.seed = seed
        self.size = size or Size()
        if self.size.series not in SERIES:
            raise ValueError(f"unknown series {self.size.series!r}; one of {SERIES}")
        # Injected anomalies (admin API): rows they name are rewritten as they are served.
        self.anomalies = anomalies if anomalies is not None else AnomalyBook()
        self.end_date = end_date or datetime.now(UTC).date()
        self.start_date = self.end_date - timedelta(days=self.size.days - 1)
        self._campaigns = lru_cache(maxsize=65536)(self._make_campaigns)
        self._campaign_seeds = lru_cache(maxsize=65536)(self._make_campaign_seeds)
        self._posts = lru_cache(maxsize=65536)(self._make_posts)

    def _h(self, *parts: object) -> int:
        key = "|".join(map(str, (self.seed, *parts))).encode()
        return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")

    # --- accounts -------------------------------------------------------------------

    def account_ids(self, platform: str) -> list[str]:
        if platform == "twitter":
            return [f"18ce5{i:05x}" for i in range(self.size.accounts)]
        return [str(_ACCOUNT_BASE[platform] + i + 1) for i in range(self.size.accounts)]

    def account(self, platform: str, account_id: str) -> Account:
        currency, exponent, timezone = _LOCALES[
            self._h(platform, account_id, "locale") % len(_LOCALES)
        ]
        return Account(platform, account_id, currency, exponent, timezone)

    # --- campaigns ------------------------------------------------------------------

    def campaigns(self, platform: str, account_id: str) -> tuple[Campaign, ...]:
        return self._campaigns(platform, account_id)

    def _make_campaigns(self, platform: str, account_id: str) -> tuple[Campaign, ...]:
        acct = self.account(platform, account_id)
        made = [self._campaign(acct, j) for j in range(self.size.campaigns)]
        return tuple(sorted(made, key=lambda c: (len(c.external_id), c.external_id)))

    def _campaign(self, acct: Account, j: int) -> Campaign:
        h = self._h(acct.platform, acct.account_id, "campaign", j)
        number = 100_000_000_000 + h % 900_000_000_000
        external_id = _base36(number) if acct.platform == "twitter" else str(number)
        statuses = _STATUSES[acct.platform]
        budget_kind = (h >> 8) % 4  # 0,1 daily; 2 lifetime; 3 none (not on Google)
        if budget_kind == 3 and acct.platform == "google":
            budget_kind = 0
        budget_minor = (
            None
            if budget_kind == 3
            else ((h >> 16) % 5000 + 10) * 10**acct.exponent + (h >> 32) % 10**acct.exponent
        )
        start = self.start_date - timedelta(days=(h >> 20) % 30)
        end = self.end_date + timedelta(days=(h >> 24) % 90) if (h >> 28) % 3 == 0 else None
        no_dates = acct.platform == "tiktok"  # TikTok schedules live on ad groups
        return Campaign(
            external_id=external_id,
            name=f"{acct.platform.title()} {_WORDS[(h >> 12) % len(_WORDS)]} #{j + 1}",
            status=statuses[(h >> 4) % len(statuses)],
            currency=acct.currency,
            exponent=acct.exponent,
            budget_minor=budget_minor,
            budget_period=None
            if budget_kind == 3
            else ("lifetime" if budget_kind == 2 else "daily"),
            start_date=None if no_dates else start,
            end_date=None if no_dates else end,
        )

    # --- daily metrics --------------------------------------------------------------

    def daily_metrics(
        self, platform: str, account_id: str, since: date, until: date
    ) -> list[DailyMetric]:
        """Rows for every campaign and every day of ``[since, until]`` inside the data window,
        ordered by day then campaign (zero-activity days included, with zeros). Only the
        asked-for days are computed: a benchmark touches thousands of fresh accounts."""
        acct = self.account(platform, account_id)
        seeds = self._campaign_seeds(platform, account_id)
        first, last = max(since, self.start_date), min(until, self.end_date)
        make = self._steady_metric if self.size.series == "steady" else self._noisy_metric
        rows = []
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            day = date.fromordinal(ordinal)
            rows += [make(acct, cid, day, base, _mix(base ^ ordinal)) for cid, base in seeds]
        if self.anomalies:
            rows = [self._with_anomalies(platform, account_id, row) for row in rows]
        return rows

    def _with_anomalies(self, platform: str, account_id: str, row: DailyMetric) -> DailyMetric:
        for anomaly in self.anomalies.on(platform, account_id, row.campaign_external_id, row.day):
            row = _apply(anomaly, row, whole_conversions=platform != "google")
        return row

    def _make_campaign_seeds(self, platform: str, account_id: str) -> tuple[tuple[str, int], ...]:
        return tuple(
            (c.external_id, self._h(platform, account_id, c.external_id))
            for c in self.campaigns(platform, account_id)
        )

    def _noisy_metric(
        self, acct: Account, campaign_id: str, day: date, _: int, h: int
    ) -> DailyMetric:
        if h % 13 == 0:  # a day without delivery
            return DailyMetric(campaign_id, day, acct.currency, acct.exponent, 0, 0, 0, _ZERO, 0)
        impressions = 100 + (h >> 4) % 20000
        clicks = impressions * ((h >> 20) % 8) // 100
        conv_units = (h >> 24) % 21
        # Google reports fractional (attributed) conversions; the others whole ones.
        conversions = Decimal(conv_units) / 2 if acct.platform == "google" else Decimal(conv_units)
        spend_minor = clicks * (5 + (h >> 32) % 200) + (h >> 40) % 7
        value_minor = conv_units * (50 + (h >> 44) % 3000)
        return _row(acct, campaign_id, day, impressions, clicks, spend_minor, conversions,
                    value_minor)  # fmt: skip

    def _steady_metric(
        self, acct: Account, campaign_id: str, day: date, base: int, h: int
    ) -> DailyMetric:
        # Per campaign: a level (one in five campaigns is small, below any anomaly rule's
        # volume guard), a click-through rate, a cost per click and a conversion rate; per
        # day: the weekly rhythm and close-to-normal noise (sd ~10 % on impressions, 8 % on
        # CTR, 5 % on CPC) and count noise on conversions (Poisson-like, sd = sqrt(mean)).
        small = (base >> 3) % 5 == 0
        level = 30 + (base >> 8) % 300 if small else 3000 + (base >> 8) % 40000
        impressions = max(0, round(level * _WEEKDAY[day.weekday()] * (1 + 0.10 * _gauss(h, 0))))
        ctr = (0.008 + ((base >> 16) % 40) / 1000) * (1 + 0.08 * _gauss(h, 12))
        clicks = min(impressions, max(0, round(impressions * ctr)))
        cpc_minor = (30 + (base >> 24) % 170) * (1 + 0.05 * _gauss(h, 24))
        expected = clicks * (0.03 + ((base >> 32) % 90) / 1000)
        conv = max(0.0, expected + expected**0.5 * _gauss(h, 36))
        google = acct.platform == "google"
        conversions = Decimal(round(conv * 2)) / 2 if google else Decimal(round(conv))
        value_minor = int(conversions * (1000 + (base >> 40) % 9000))
        return _row(acct, campaign_id, day, impressions, clicks, round(clicks * cpc_minor),
                    conversions, value_minor)  # fmt: skip

    # --- posts ----------------------------------------------------------------------

    def posts(self, platform: str, owner_id: str, channel: str = "") -> tuple[Post, ...]:
        """Newest first. ``channel`` splits Meta into "page" and "instagram"."""
        return self._posts(platform, owner_id, channel)

    def _make_posts(self, platform: str, owner_id: str, channel: str) -> tuple[Post, ...]:
        if platform == "google":
            return ()
        moment = datetime(
            self.end_date.year, self.end_date.month, self.end_date.day, 18, tzinfo=UTC
        )
        posts = []
        for i in range(self.size.posts):
            h = self._h(platform, owner_id, channel, "post", i)
            moment -= timedelta(hours=3 + h % 40, minutes=(h >> 6) % 60)
            shares = (h >> 20) % 50
            posts.append(
                Post(
                    external_id=_post_id(platform, owner_id, channel, h),
                    text=f"{_WORDS[(h >> 10) % len(_WORDS)]} post {i + 1} from {owner_id[-6:]}",
                    published_at=moment,
                    likes=(h >> 12) % 900,
                    comments=(h >> 30) % 80,
                    shares=0 if channel == "instagram" else shares,
                    impressions=0 if platform == "meta" else 500 + (h >> 36) % 50000,
                )
            )
        return tuple(posts)


SERIES = ("noisy", "steady")
_ZERO = Decimal(0)
_MASK64 = (1 << 64) - 1
# Monday .. Sunday: weekdays deliver more than weekends.
_WEEKDAY = (1.0, 1.06, 1.08, 1.04, 0.98, 0.82, 0.78)


def _row(
    acct: Account,
    campaign_id: str,
    day: date,
    impressions: int,
    clicks: int,
    spend_minor: int,
    conversions: Decimal,
    conversion_value_minor: int,
) -> DailyMetric:
    return DailyMetric(
        campaign_id, day, acct.currency, acct.exponent, impressions, clicks, spend_minor,
        conversions, conversion_value_minor,
    )  # fmt: skip


def _gauss(h: int, shift: int) -> float:
    """A close-to-normal draw (mean 0, sd 1, within +-3) from three 4-bit slices of ``h``."""
    u = [((h >> (shift + 4 * i)) & 0xF) / 15 for i in range(3)]
    return (sum(u) - 1.5) * 2


def _apply(anomaly: Anomaly, row: DailyMetric, *, whole_conversions: bool) -> DailyMetric:
    f, m = anomaly.factor, anomaly.metrics
    impressions = scaled_int(row.impressions, f) if "impressions" in m else row.impressions
    clicks = scaled_int(row.clicks, f) if "clicks" in m else row.clicks
    conversions = (
        scaled_conversions(row.conversions, f, whole_conversions)
        if "conversions" in m
        else row.conversions
    )
    value = (
        scaled_int(row.conversion_value_minor, f)
        if "conversions" in m
        else row.conversion_value_minor
    )
    return replace_fields(
        row,
        impressions=impressions,
        clicks=min(clicks, impressions),
        spend_minor=scaled_int(row.spend_minor, f) if "spend" in m else row.spend_minor,
        conversions=conversions,
        conversion_value_minor=value,
    )


def _mix(x: int) -> int:
    """splitmix64: a cheap, well-spread integer hash for per-day figures."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _post_id(platform: str, owner_id: str, channel: str, h: int) -> str:
    number = 10**15 + h % (9 * 10**15)
    if platform == "meta" and channel == "page":
        return f"{owner_id}_{number}"
    if platform == "linkedin":
        return f"urn:li:share:{number}"
    return str(number)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
