"""The materialized per-organization state the dashboard is rendered from.

Every section remembers the time of the event that last set it (``as_of``), so events that
arrive late or twice change nothing: updates are last-writer-wins by event time, which makes
applying an event idempotent without an inbox round trip on the hot path.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_shared.events import PostFigures

DEFAULT_PERIOD_DAYS = 30


class DayMoney(BaseModel):
    """A campaign's money on one account day (in its own currency): what converts at that
    day's rate."""

    day: date
    spend: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)


class CampaignFigures(BaseModel):
    id: UUID
    name: str
    platform: str
    status: str
    currency: str
    budget_amount: Decimal | None = None
    budget_period: str | None = None
    spend_today: Decimal = Decimal(0)
    spend_lifetime: Decimal = Decimal(0)
    spend: Decimal = Decimal(0)  # within the view's period
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)
    daily: list[DayMoney] = Field(default_factory=list)  # the period's money, by day


class PostItem(PostFigures):
    id: UUID
    platform: str


class ContentFigures(BaseModel):
    posts_published: int = 0
    interactions: int = 0
    impressions: int = 0


class Contribution(BaseModel):
    """What one integration adds to the org's figures, as of its last successful sync."""

    platform: str
    campaigns: list[CampaignFigures] = Field(default_factory=list)
    campaigns_as_of: datetime | None = None
    content: ContentFigures = Field(default_factory=ContentFigures)
    content_as_of: datetime | None = None
    recent_posts: list[PostItem] = Field(default_factory=list)
    posts_as_of: datetime | None = None


class Account(BaseModel):
    id: UUID
    platform: str
    account_id: str
    account_name: str
    status: str  # active | paused | disconnected
    status_reason: str | None = None
    currency: str | None = None
    token_expires_at: datetime | None = None
    connected_at: datetime | None = None  # first connection: never moves
    as_of: datetime | None = None


class SyncLane(BaseModel):
    """The latest known state of one (integration, data type) sync."""

    integration_id: UUID
    platform: str
    data_type: str
    status: str  # pending | syncing | success | failed
    run_id: UUID | None = None
    attempt: int = 1
    last_success_at: datetime | None = None
    error_class: str | None = None
    error_message: str | None = None
    will_retry: bool = False
    next_attempt_at: datetime | None = None
    as_of: datetime | None = None


class AlertFields(BaseModel):
    # What an alert says, in the view's state and in the dashboard document alike.
    id: UUID
    type: str
    severity: str
    message: str
    subject_type: str
    subject_id: UUID


class AlertItem(AlertFields):
    open: bool = True
    first_seen_at: datetime | None = None  # when it opened: the order of open alerts
    as_of: datetime | None = None


class KpiTarget(BaseModel):
    name: str
    metric: str
    target: Decimal
    higher_is_better: bool = True


class ScheduledItem(BaseModel):
    id: UUID
    content: str
    platforms: list[str]
    scheduled_for: datetime
    status: str


class DashboardState(BaseModel):
    org_id: UUID
    org_name: str
    timezone: str = "UTC"  # the organization's, from its settings
    currency: str | None = None  # the chosen one; None: the first connected account's
    settings_as_of: datetime | None = None
    period_days: int = DEFAULT_PERIOD_DAYS
    accounts: dict[str, Account] = Field(default_factory=dict)
    contributions: dict[str, Contribution] = Field(default_factory=dict)
    sync_lanes: dict[str, SyncLane] = Field(default_factory=dict)
    alerts: dict[str, AlertItem] = Field(default_factory=dict)
    kpis: list[KpiTarget] = Field(default_factory=list)
    scheduled: list[ScheduledItem] = Field(default_factory=list)
    updated_at: datetime

    def live_integration_ids(self) -> set[str]:
        """Integrations that count: every one we know of that is not disconnected."""
        known = (
            set(self.accounts)
            | set(self.contributions)
            | {lane.integration_id.hex for lane in self.sync_lanes.values()}
        )
        return {
            key
            for key in known
            if key not in self.accounts or self.accounts[key].status != "disconnected"
        }

    def reporting_currency(self) -> str | None:
        """The organization's currency: the chosen one, else that of its first connected
        account (of those not disconnected) that has one."""
        if self.currency is not None:
            return self.currency
        live = self.live_integration_ids()
        accounts = sorted(
            (a for key, a in self.accounts.items() if key in live and a.currency is not None),
            key=lambda a: (a.connected_at is None, a.connected_at or self.updated_at, a.id),
        )
        return accounts[0].currency if accounts else None


def integration_key(integration_id: UUID) -> str:
    return integration_id.hex


def lane_key(integration_id: UUID, data_type: str) -> str:
    return f"{integration_id.hex}:{data_type}"
