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
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from math import ceil

from .anomalies import Anomaly, AnomalyBook, scaled_conversions, scaled_int
from .draws import (
    NOISY_PEAK,
    STEADY_PEAK,
    WEEK_MEAN,
    Delivery,
    mix,
    noisy_conversions,
    noisy_delivery,
    steady_conversions,
    steady_delivery,
    unit,
)
from .pacing import RULES, day_cap, pace, period_bounds, period_cap
from .profiles import DEFAULT_CURRENCIES, PROFILES, Locale, locale, log_within, within

PLATFORMS = ("google", "meta", "tiktok", "linkedin", "twitter")

# (currency, minor-unit exponent, time zone): JPY exercises zero-decimal money.
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
class _Plan:
    """A campaign and how it delivers (kept out of :class:`Campaign`, what platforms show)."""

    campaign: Campaign
    base: int  # the campaign's hash: its per-day draws derive from it
    first: date  # delivers from this day ...
    stop: date  # ... to this one (inclusive)
    level: int  # impressions on an average day
    ctr: float
    cpc_minor: float
    cvr: float
    value_minor: float  # conversion value per conversion
    peak_minor: float  # no day spends more (before the budget's rules)


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
        currencies: Sequence[str] | None = None,
    ) -> None:
        self.seed = seed
        self.size = size or Size()
        if self.size.series not in SERIES:
            raise ValueError(f"unknown series {self.size.series!r}; one of {SERIES}")
        # Injected anomalies (admin API): rows they name are rewritten as they are served.
        self.anomalies = anomalies if anomalies is not None else AnomalyBook()
        self.end_date = end_date or datetime.now(UTC).date()
        self.start_date = self.end_date - timedelta(days=self.size.days - 1)
        self.currencies = tuple(currencies or DEFAULT_CURRENCIES)
        for currency in self.currencies:
            locale(currency)  # refuses an unknown currency now, not on the first request
        self._plans = lru_cache(maxsize=65536)(self._make_plans)
        # A period's paced spend (a month, a week, a lifetime flight), per campaign.
        self._period_spend = lru_cache(maxsize=16384)(self._make_period_spend)
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
        h = self._h(platform, account_id, "locale")
        loc = locale(self.currencies[h % len(self.currencies)])
        timezone = loc.timezones[(h >> 16) % len(loc.timezones)]
        return Account(platform, account_id, loc.currency, loc.exponent, timezone)

    # --- campaigns ------------------------------------------------------------------

    def campaigns(self, platform: str, account_id: str) -> tuple[Campaign, ...]:
        return tuple(plan.campaign for plan in self._plans(platform, account_id))

    def _make_plans(self, platform: str, account_id: str) -> tuple[_Plan, ...]:
        acct = self.account(platform, account_id)
        made = [self._plan(acct, j) for j in range(self.size.campaigns)]
        return tuple(
            sorted(made, key=lambda p: (len(p.campaign.external_id), p.campaign.external_id))
        )

    def _plan(self, acct: Account, j: int) -> _Plan:
        h = self._h(acct.platform, acct.account_id, "campaign", j)
        number = 100_000_000_000 + h % 900_000_000_000
        external_id = _base36(number) if acct.platform == "twitter" else str(number)
        base = self._h(acct.platform, acct.account_id, external_id)
        loc, profile = locale(acct.currency), PROFILES[acct.platform]
        # Per campaign: a level (one in five campaigns is small, below any anomaly rule's
        # volume guard), a click-through rate, a cost per click, a conversion rate and a
        # value per conversion inside the platform's ranges.
        small = (base >> 3) % 5 == 0
        # Sizes spread log-uniformly over the platform's range.
        level = (
            30 + (base >> 8) % 300
            if small
            else round(log_within(profile.impressions, unit(base, 8)))
        )
        ctr = within(profile.ctr_pct, unit(base, 16)) / 100
        cpc_minor = within(profile.cpc_usd, unit(base, 24)) * loc.per_usd * 10**loc.exponent
        cvr = within(profile.cvr_pct, unit(base, 32)) / 100
        value_minor = within(profile.value_usd, unit(base, 40)) * loc.per_usd * 10**loc.exponent
        expected_spend = level * WEEK_MEAN * ctr * cpc_minor  # per day, in minor units

        status = _STATUSES[acct.platform][(h >> 4) % len(_STATUSES[acct.platform])]
        budget_kind = (h >> 8) % 8  # 0-4 daily; 5, 6 lifetime; 7 none (not on Google)
        if budget_kind == 7 and acct.platform == "google":
            budget_kind = 0
        period = None if budget_kind == 7 else ("lifetime" if budget_kind >= 5 else "daily")
        # How much of its budget a campaign would spend on an average day (daily) or over
        # its flight (lifetime): most well inside it, about one in eight near 90 %, one in
        # twelve past it (budget-limited: the platform stops delivery at the budget).
        share = (h >> 48) % 100
        pick = unit(h, 56)
        usage = (
            within((0.97, 1.2), pick)
            if share < 8
            else (within((0.84, 0.93), pick) if share < 20 else within((0.3, 0.65), pick))
        )
        last: date | None
        budget_minor: int | None
        early = timedelta(days=(h >> 20) % max(1, self.size.days // 3))
        if period == "lifetime":  # started in the window's first third, ends soon or later
            first = self.start_date + early
            last = self.end_date + timedelta(days=(h >> 24) % 45)
            flight_days = (last - first).days + 1
            budget_minor = _round_up(expected_spend * flight_days / usage, loc)
        else:
            first = self.start_date - timedelta(days=(h >> 20) % 30)
            last = self.end_date + timedelta(days=(h >> 24) % 90) if (h >> 28) % 3 == 0 else None
            budget_minor = None if period is None else _round_up(expected_spend / usage, loc)
        no_dates = acct.platform == "tiktok"  # TikTok schedules live on ad groups
        campaign = Campaign(
            external_id=external_id,
            name=f"{acct.platform.title()} {_WORDS[(h >> 12) % len(_WORDS)]} #{j + 1}",
            status=status,
            currency=acct.currency,
            exponent=acct.exponent,
            budget_minor=budget_minor,
            budget_period=period,
            start_date=None if no_dates else first,
            end_date=None if no_dates else last,
        )
        # Delivery: from the start to the end; a campaign no longer active stopped in the
        # window's first third (well before the days anomaly rules judge), a draft never ran.
        stop = last or date.max
        if status == "draft":
            stop = date.min
        elif status != "active":
            stop = min(stop, self.start_date + early)
        imp, clk, cost = STEADY_PEAK if self.size.series == "steady" else NOISY_PEAK
        peak = ((level * imp + 0.5) * ctr * clk + 0.5) * cpc_minor * cost + 0.5
        return _Plan(campaign, base, first, stop, level, ctr, cpc_minor, cvr, value_minor, peak)

    # --- daily metrics --------------------------------------------------------------

    def daily_metrics(
        self, platform: str, account_id: str, since: date, until: date
    ) -> list[DailyMetric]:
        """Rows for every campaign and every day of ``[since, until]`` inside the data window,
        ordered by day then campaign (zero-activity days included, with zeros). Only the
        asked-for days are computed (plus, for a budget that limits a period, that period's
        earlier days): a benchmark touches thousands of fresh accounts."""
        acct = self.account(platform, account_id)
        plans = self._plans(platform, account_id)
        first, last = max(since, self.start_date), min(until, self.end_date)
        rows = []
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            day = date.fromordinal(ordinal)
            rows += [self._paced(acct, j, plan, day) for j, plan in enumerate(plans)]
        if self.anomalies:
            rows = [self._with_anomalies(platform, account_id, row) for row in rows]
        return rows

    def _with_anomalies(self, platform: str, account_id: str, row: DailyMetric) -> DailyMetric:
        for anomaly in self.anomalies.on(platform, account_id, row.campaign_external_id, row.day):
            row = _apply(anomaly, row, whole_conversions=platform != "google")
        return row

    def _paced(self, acct: Account, j: int, plan: _Plan, day: date) -> DailyMetric:
        """The day's delivery as the platform lets it happen: the demand, cut where the
        budget's rules (:mod:`.pacing`) stop it."""
        row = self._demand(acct, plan, day)
        budget = plan.campaign.budget_minor
        if budget is None or not row.spend_minor:
            return row
        # A period's pacing only for a campaign whose days could reach the period's budget.
        if plan.campaign.budget_period == "lifetime":
            start, end = plan.first, plan.stop
            if plan.peak_minor * ((end - start).days + 1) <= budget:
                return row
        else:
            rule = RULES[acct.platform]
            cap, total = day_cap(rule, budget), period_cap(rule, budget)
            start, end = period_bounds(rule, day)
            if total is None or min(cap, plan.peak_minor) * ((end - start).days + 1) <= total:
                return _cut(row, cap)
        allowed = self._period_spend(acct.platform, acct.account_id, j, start, end)
        return _cut(row, allowed[(day - start).days])

    def _make_period_spend(
        self, platform: str, account_id: str, j: int, start: date, end: date
    ) -> tuple[int, ...]:
        plan = self._plans(platform, account_id)[j]
        budget = plan.campaign.budget_minor or 0
        demand = [
            self._demand_spend(plan, date.fromordinal(o))
            for o in range(start.toordinal(), end.toordinal() + 1)
        ]
        if plan.campaign.budget_period == "lifetime":
            return tuple(pace(demand, None, budget))
        rule = RULES[platform]
        return tuple(pace(demand, day_cap(rule, budget), period_cap(rule, budget)))

    def _demand(self, acct: Account, plan: _Plan, day: date) -> DailyMetric:
        """The day's delivery as the campaign would have it, before its budget's rules."""
        h = mix(plan.base ^ day.toordinal())
        impressions, clicks, spend_minor = self._delivery(plan, day, h)
        if not impressions:
            zero = _ZERO
            return DailyMetric(plan.campaign.external_id, day, acct.currency, acct.exponent,
                               0, 0, 0, zero, 0)  # fmt: skip
        conv = self._conversions(plan, clicks, h, acct.platform == "google")
        return _with_conversions(acct, plan, day, impressions, clicks, spend_minor, conv)

    def _demand_spend(self, plan: _Plan, day: date) -> int:
        return self._delivery(plan, day, mix(plan.base ^ day.toordinal()))[2]

    def _delivery(self, plan: _Plan, day: date, h: int) -> Delivery:
        if not plan.first <= day <= plan.stop:
            return 0, 0, 0
        if self.size.series == "steady":
            return steady_delivery(plan.level, plan.ctr, plan.cpc_minor, day.weekday(), h)
        return noisy_delivery(plan.level, plan.ctr, plan.cpc_minor, h)

    def _conversions(self, plan: _Plan, clicks: int, h: int, google: bool) -> float:
        if self.size.series == "steady":
            return steady_conversions(clicks * plan.cvr, h, google)
        return noisy_conversions(clicks * plan.cvr, h)

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


def _with_conversions(
    acct: Account,
    plan: _Plan,
    day: date,
    impressions: int,
    clicks: int,
    spend_minor: int,
    conv: float,
) -> DailyMetric:
    # Google reports fractional (attributed) conversions; the others whole ones.
    google = acct.platform == "google"
    conversions = Decimal(round(conv * 2)) / 2 if google else Decimal(round(conv))
    value_minor = int(conversions * Decimal(round(plan.value_minor)))
    return _row(acct, plan.campaign.external_id, day, impressions, clicks, spend_minor,
                conversions, value_minor)  # fmt: skip


def _cut(row: DailyMetric, allowed: int) -> DailyMetric:
    """The row as delivered when the budget allows only ``allowed`` of its spend: delivery
    (impressions, clicks, conversions) stops in the same proportion."""
    if row.spend_minor <= allowed:
        return row
    share = Decimal(allowed) / Decimal(row.spend_minor)
    whole = Decimal(1) if row.conversions == row.conversions.to_integral_value() else Decimal("0.5")
    conversions = (row.conversions * share / whole).to_integral_value(ROUND_FLOOR) * whole
    # The value follows the conversions left (none left: no value).
    value = int(row.conversion_value_minor * conversions / row.conversions) if conversions else 0
    return replace_fields(
        row,
        impressions=int(row.impressions * share),
        clicks=int(row.clicks * share),
        spend_minor=allowed,
        conversions=conversions,
        conversion_value_minor=value,
    )


def _round_up(amount_minor: float, loc: Locale) -> int:
    """A budget as people set it: a whole number of the currency's round steps."""
    step = loc.budget_step_minor
    return max(step, ceil(amount_minor / step) * step)


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
