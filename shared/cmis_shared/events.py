"""Versioned event contracts: the public API between CMIS services and any internal consumer.

Every event travels on the one topic exchange with its ``event_type`` as routing key. Unknown
fields are ignored (consumers tolerate newer producers); a missing field or a wrong type is a
:class:`EventParseError`.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID, uuid4

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


def utc_now() -> datetime:
    return datetime.now(UTC)


class Platform(enum.StrEnum):
    GOOGLE = "google"
    META = "meta"
    TIKTOK = "tiktok"
    LINKEDIN = "linkedin"
    TWITTER = "twitter"


class DataType(enum.StrEnum):
    CAMPAIGNS = "campaigns"
    METRICS = "metrics"
    POSTS = "posts"
    ALL = "all"

    def expand(self) -> tuple[DataType, ...]:
        if self is DataType.ALL:
            return (DataType.CAMPAIGNS, DataType.METRICS, DataType.POSTS)
        return (self,)


class SyncTrigger(enum.StrEnum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"
    RETRY = "retry"
    BACKFILL = "backfill"


class ErrorClass(enum.StrEnum):
    RATE_LIMITED = "rate_limited"
    TOKEN_EXPIRED = "token_expired"
    AUTH_REVOKED = "auth_revoked"
    CONFIG_ERROR = "config_error"
    PLATFORM_ERROR = "platform_error"
    TIMEOUT = "timeout"
    INVALID_RESPONSE = "invalid_response"
    INTEGRATION_UNAVAILABLE = "integration_unavailable"
    INTERNAL_ERROR = "internal_error"


class IntegrationStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DISCONNECTED = "disconnected"


class BackfillStatus(enum.StrEnum):
    """A backfill's state: running until every window is done or failed, or cancelled."""

    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self is not BackfillStatus.RUNNING


class BudgetPeriod(enum.StrEnum):
    DAILY = "daily"
    LIFETIME = "lifetime"


class AlertType(enum.StrEnum):
    BUDGET = "budget"
    TOKEN_EXPIRY = "token_expiry"
    SYNC_FAILURE = "sync_failure"
    INTEGRATION_PAUSED = "integration_paused"
    DEAD_LETTERS = "dead_letters"
    NOTIFICATION_CHANNEL = "notification_channel"
    # Anomalies against a trailing, weekday-aware baseline (campaign or organization).
    SPEND_SPIKE = "spend_spike"
    CTR_DROP = "ctr_drop"
    CONVERSION_DROP = "conversion_drop"
    COST_PER_RESULT_RISE = "cost_per_result_rise"
    # A campaign projected to run out of budget before its period ends, or to finish far under.
    BUDGET_PACING = "budget_pacing"
    # The platform API version an integration's syncs use reaches its announced end of life.
    API_SUNSET = "api_sunset"


class Severity(enum.StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


class AlertAction(enum.StrEnum):
    """What a user asks of an alert (``AlertCommand``)."""

    ACKNOWLEDGE = "acknowledge"
    SNOOZE = "snooze"
    RESOLVE = "resolve"


class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Event(_Contract):
    """The envelope every event carries."""

    event_type: str
    event_id: UUID = Field(default_factory=uuid4)
    schema_version: int = 1
    occurred_at: AwareDatetime = Field(default_factory=utc_now)
    org_id: UUID
    correlation_id: UUID = Field(default_factory=uuid4)

    routing_key: ClassVar[str]

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"))


# --- sync -------------------------------------------------------------------------------


class _SyncEvent(Event):
    run_id: UUID
    integration_id: UUID
    platform: Platform
    data_type: DataType
    trigger: SyncTrigger
    attempt: int = Field(ge=1)


class SyncRequested(_SyncEvent):
    event_type: Literal["sync.requested"] = "sync.requested"
    routing_key: ClassVar[str] = "sync.requested"
    window_start: date | None = None
    window_end: date | None = None
    requested_by: str | None = None


class SyncStarted(_SyncEvent):
    event_type: Literal["sync.started"] = "sync.started"
    routing_key: ClassVar[str] = "sync.started"
    started_at: AwareDatetime


class MetricTotals(_Contract):
    spend: Decimal = Decimal(0)
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)


class DailyMoney(_Contract):
    """A campaign's money on one of its account's days, in the campaign's currency."""

    day: date
    spend: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)


class CampaignFact(_Contract):
    """What alerting and the dashboard need to know of a campaign after a sync."""

    campaign_id: UUID
    external_id: str
    name: str
    status: str
    currency: str
    budget_amount: Decimal | None = None
    budget_period: BudgetPeriod | None = None
    spend_today: Decimal = Decimal(0)
    spend_lifetime: Decimal = Decimal(0)
    last_30_days: MetricTotals = Field(default_factory=MetricTotals)
    # ``last_30_days``' money day by day (days with some spend or value only): a consumer
    # converting into another currency does so at each day's own rate.
    daily: list[DailyMoney] = Field(default_factory=list)


class PostFigures(_Contract):
    """A post as every copy of it reads: its text, when it was published and its engagement
    counts (the worker's normalized post, this fact, the dashboard view's item)."""

    text: str
    published_at: AwareDatetime
    likes: int = 0
    comments: int = 0
    shares: int = 0
    impressions: int = 0


class PostFact(PostFigures):
    post_id: UUID
    external_id: str


class ContentTotals(_Contract):
    posts_published: int = 0
    interactions: int = 0
    impressions: int = 0


class SyncCompleted(_SyncEvent):
    event_type: Literal["sync.completed"] = "sync.completed"
    routing_key: ClassVar[str] = "sync.completed"
    started_at: AwareDatetime
    finished_at: AwareDatetime
    duration_ms: int = Field(ge=0)
    counts: dict[str, int] = Field(default_factory=dict)
    range_start: date | None = None
    range_end: date | None = None
    currency: str | None = None
    token_expires_at: AwareDatetime | None = None
    # The worker renews a refreshable access token itself: its expiry is no reason to alert.
    token_refreshable: bool = False
    campaigns: list[CampaignFact] = Field(default_factory=list)
    content_last_30_days: ContentTotals | None = None
    recent_posts: list[PostFact] = Field(default_factory=list)
    # The platform API version the connector spoke, and the end of life the platform announced
    # for it (None: none announced; see cmis_shared.api_versions). Alerting warns before it.
    api_version: str | None = None
    api_sunset_on: date | None = None


class SyncFailed(_SyncEvent):
    event_type: Literal["sync.failed"] = "sync.failed"
    routing_key: ClassVar[str] = "sync.failed"
    error_class: ErrorClass
    message: str
    retryable: bool
    will_retry: bool
    next_attempt_at: AwareDatetime | None = None
    max_attempts: int = Field(default=3, ge=1)


# --- alerts -----------------------------------------------------------------------------


class _AlertEvent(Event):
    alert_id: UUID
    alert_type: AlertType
    # "organization": an organization-wide rule (anomalies over all its campaigns).
    subject_type: Literal["campaign", "integration", "organization"]
    subject_id: UUID
    severity: Severity
    message: str
    # When the alert opened (``alerts.first_seen_at``): it never moves while the alert is
    # open, so a view built from these events and a rebuild from the table order alerts the
    # same way. (``last_seen_at`` moves without an event when a rule fires again.) None only
    # in events published before the field existed.
    first_seen_at: AwareDatetime | None = None


class AlertRaised(_AlertEvent):
    event_type: Literal["alert.raised"] = "alert.raised"
    routing_key: ClassVar[str] = "alert.raised"
    escalated: bool = False
    occurrences: int = Field(default=1, ge=1)
    details: dict[str, Any] = Field(default_factory=dict)


class AlertResolved(_AlertEvent):
    event_type: Literal["alert.resolved"] = "alert.resolved"
    routing_key: ClassVar[str] = "alert.resolved"
    reason: str


class AlertCommand(Event):
    """A user's acknowledge, snooze or resolve of one alert: published by dashboard-api,
    applied by alerting (the only writer of alerts). Its routing key is outside ``alert.*``
    so consumers of alert changes do not receive requests for them."""

    event_type: Literal["alerting.command"] = "alerting.command"
    routing_key: ClassVar[str] = "alerting.command"
    alert_id: UUID
    action: AlertAction
    snoozed_until: AwareDatetime | None = None
    requested_by: str


# --- integrations -----------------------------------------------------------------------


class _IntegrationEvent(Event):
    integration_id: UUID
    platform: Platform


class IntegrationFacts(_IntegrationEvent):
    account_id: str
    account_name: str
    status: IntegrationStatus
    status_reason: str | None = None
    currency: str | None = None
    timezone: str = "UTC"
    token_expires_at: AwareDatetime | None = None
    refreshable: bool = False
    # When the account was first connected (never moves; an organization without a chosen
    # currency reports in its first connected account's). None from publishers that do not
    # know it: consumers keep the value they have.
    connected_at: AwareDatetime | None = None


class IntegrationConnected(IntegrationFacts):
    event_type: Literal["integration.connected"] = "integration.connected"
    routing_key: ClassVar[str] = "integration.connected"


class IntegrationUpdated(IntegrationFacts):
    event_type: Literal["integration.updated"] = "integration.updated"
    routing_key: ClassVar[str] = "integration.updated"


class IntegrationDisconnected(_IntegrationEvent):
    event_type: Literal["integration.disconnected"] = "integration.disconnected"
    routing_key: ClassVar[str] = "integration.disconnected"


# --- notifications ----------------------------------------------------------------------


class _NotificationChannelEvent(Event):
    """About an organization's notification channel (``org_id`` nil: the operators' one)."""

    channel_id: UUID
    channel_name: str
    channel_kind: str


class NotificationChannelDisabled(_NotificationChannelEvent):
    """The notifier stopped using a channel that kept failing; alerting raises an alert."""

    event_type: Literal["notification.channel_disabled"] = "notification.channel_disabled"
    routing_key: ClassVar[str] = "notification.channel_disabled"
    consecutive_failures: int = Field(ge=1)
    reason: str  # the last failure's reason (http_500, timeout...): never a URL


class NotificationChannelRestored(_NotificationChannelEvent):
    """A disabled channel was enabled again or removed; alerting resolves its alert."""

    event_type: Literal["notification.channel_restored"] = "notification.channel_restored"
    routing_key: ClassVar[str] = "notification.channel_restored"
    reason: str


# --- backfills --------------------------------------------------------------------------


class BackfillProgressed(Event):
    """A backfill's windows moved (one finished, failed, or the backfill was cancelled):
    its counts as they stand after the change. ``windows_done`` counts successful windows;
    a backfill is over when ``windows_done + windows_failed + windows_cancelled`` reaches
    ``windows_total``."""

    event_type: Literal["backfill.progressed"] = "backfill.progressed"
    routing_key: ClassVar[str] = "backfill.progressed"
    backfill_id: UUID
    status: BackfillStatus
    windows_total: int = Field(ge=0)
    windows_done: int = Field(ge=0)
    windows_failed: int = Field(ge=0)
    windows_cancelled: int = Field(ge=0)
    rows_stored: int = Field(ge=0)


# --- organizations ----------------------------------------------------------------------


class OrganizationSettingsChanged(Event):
    """An admin changed the organization's settings (``changed`` names the groups: timezone,
    currency, alerts, schedules, manual_triggers). Consumers read the current values from
    ``organizations`` (the row is the truth; events may arrive out of order); ``timezone``
    and ``currency`` (the chosen one, None: the first connected account's) are carried for
    the dashboard's view, which is kept without database reads."""

    event_type: Literal["organization.settings_changed"] = "organization.settings_changed"
    routing_key: ClassVar[str] = "organization.settings_changed"
    changed: list[str]
    timezone: str
    currency: str | None = None
    changed_by: UUID | None = None


AnyEvent = Annotated[
    SyncRequested
    | SyncStarted
    | SyncCompleted
    | SyncFailed
    | AlertRaised
    | AlertResolved
    | AlertCommand
    | IntegrationConnected
    | IntegrationUpdated
    | IntegrationDisconnected
    | NotificationChannelDisabled
    | NotificationChannelRestored
    | BackfillProgressed
    | OrganizationSettingsChanged,
    Field(discriminator="event_type"),
]

EVENT_TYPES: dict[str, type[Event]] = {
    cls.routing_key: cls
    for cls in (
        SyncRequested,
        SyncStarted,
        SyncCompleted,
        SyncFailed,
        AlertRaised,
        AlertResolved,
        AlertCommand,
        IntegrationConnected,
        IntegrationUpdated,
        IntegrationDisconnected,
        NotificationChannelDisabled,
        NotificationChannelRestored,
        BackfillProgressed,
        OrganizationSettingsChanged,
    )
}

_any_event: TypeAdapter[Event] = TypeAdapter(AnyEvent)


class EventParseError(ValueError):
    """A message body that is not a valid event; ``reason`` is safe to put in a header."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_event(body: bytes | str) -> Event:
    try:
        return _any_event.validate_json(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors(include_url=False, include_input=False)[:5]
        )
        raise EventParseError(f"invalid event: {problems}") from None
