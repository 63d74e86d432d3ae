"""The system of record. One PostgreSQL database with one schema (migrations in one place);
services still talk only through events. Who writes which table, and why:

- organizations, users, org_members, api_tokens, kpis, scheduled_content, audit_log: dashboard-api
  (and its ``cmis-admin``): people and their settings come in through the API.
- integrations: three writers by design, each of its own columns, each change announced as
  ``integration.*``. dashboard-api connects, updates and disconnects (credentials by
  compare-and-swap on ``credentials_version``); sync-worker writes refreshed credentials,
  token expiry and ``last_synced_at``; scheduler writes the pause/resume ``status`` and the
  failure counters (connection health is its call).
- campaigns, daily_metrics, posts: sync-worker (the platform data).
- sync_runs: created by the requester with its ``sync.requested`` in one transaction
  (scheduler: scheduled and retry; dashboard-api: manual); sync-worker marks it running and
  finished; scheduler sets it back to queued for a retry and ends stuck runs. The partial
  unique index ``uq_sync_runs_active`` keeps one active run per integration and data type,
  whoever creates it.
- sync_attempts: sync-worker, and the scheduler's stuck-run sweep. An attempt is finished
  once: whoever sets ``finished_at`` from NULL first emits its outcome event.
- schedule_entries, retry_entries: scheduler (the single authority on time).
- exchange_rates: scheduler (its daily rates job, from a euro reference rates feed);
  dashboard-api reads them to convert figures into an organization's currency.
- backfills, backfill_windows: the scheduler's, as the authority on when syncs go out. A
  backfill and its windows are planned by dashboard-api in the request's transaction (as it
  creates manual ``sync_runs``: the requester writes the request), which also marks them
  cancelled; from then on the scheduler alone dispatches windows, records their outcomes and
  counts progress (``backfill.progressed``). Backfill runs carry trigger ``backfill`` and
  stay outside ``uq_sync_runs_active``, so they never block a scheduled or manual sync.
- alerts, alert_history: alerting. A user's acknowledge, snooze or resolve reaches it as an
  ``alerting.command`` event that dashboard-api stages in its outbox (the API never writes
  these tables).
- outbox: every service stages rows in its own transactions; any service's relay publishes
  and deletes them (``cmis_shared.outbox``).
- processed_events: every consumer its own rows, keyed by consumer name (the inbox,
  ``cmis_shared.inbox_outbox``); the scheduler's retention job deletes old ones.

Money is NUMERIC with its currency beside it; every timestamp is timezone-aware UTC; daily
metrics are keyed by the ad account's own date.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(20, 6)
Count = Numeric(20, 6)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        uuid.UUID: UUID(as_uuid=True),
        dict[str, Any]: JSONB,
    }


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(primary_key=True, default=uuid.uuid4)


def _created_at() -> Mapped[datetime]:
    return mapped_column(server_default=func.now())


# --- organizations and access (dashboard-api) -------------------------------------------


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Reporting currency (ISO 4217); NULL: not chosen (the first connected account's applies).
    currency: Mapped[str | None] = mapped_column(String(3))
    # Per-org overrides: alert thresholds, schedule periods, trigger rate limits.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime] = _created_at()


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = _uuid_pk()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _created_at()
    # Argon2id encoded string (parameters and salt included); NULL: no password sign-in.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[datetime | None]


class OrgMember(Base):
    __tablename__ = "org_members"
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), default="member")


class AuditLog(Base):
    """Who changed an organization's settings or members, when, and the values before and
    after (never a secret). Written by dashboard-api in the change's own transaction."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_org_id_created_at_id", "org_id", "created_at", "id"),)
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    actor_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    after: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime] = _created_at()


class ApiToken(Base):
    """Bearer tokens, stored as a SHA-256 hash: the plaintext is shown once at issue."""

    __tablename__ = "api_tokens"
    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _created_at()
    expires_at: Mapped[datetime] = mapped_column(server_default=text("now() + interval '30 days'"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


# --- integrations (dashboard-api connects; sync-worker refreshes tokens; scheduler pauses) --


class Integration(Base):
    __tablename__ = "integrations"
    __table_args__ = (UniqueConstraint("org_id", "platform", "account_id"),)
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str] = mapped_column(String(100))
    account_name: Mapped[str] = mapped_column(String(200), default="")
    currency: Mapped[str | None] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Platform-specific ids (page id, Instagram user id, organization URN...), never secrets.
    account_extra: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Fernet ciphertext of the JSON credentials (access/refresh tokens); see cmis_shared.crypto.
    credentials_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # Bumped by every write of new credentials; the worker's refresh compares and swaps on it.
    credentials_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    token_expires_at: Mapped[datetime | None]
    refreshable: Mapped[bool] = mapped_column(Boolean, default=False)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_failure_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class OAuthPendingGrant(Base):
    """A platform grant from an OAuth consent that its user has not yet connected: the
    tokens (encrypted like integrations' credentials) and the accounts they reach. Bound to
    the user and organization that started the consent; used once; expires."""

    __tablename__ = "oauth_pending_grants"
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    credentials_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    token_expires_at: Mapped[datetime | None]
    refreshable: Mapped[bool] = mapped_column(Boolean, default=False)
    # The choosable accounts (ids, names, currency, time zone, manager): never secrets.
    accounts: Mapped[list[Any]] = mapped_column(JSONB)
    grant_extra: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime] = _created_at()
    expires_at: Mapped[datetime] = mapped_column(index=True)


# --- platform data (sync-worker) ---------------------------------------------------------


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("integration_id", "external_id"),)
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(index=True)
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    budget_amount: Mapped[Decimal | None] = mapped_column(Money)
    budget_period: Mapped[str | None] = mapped_column(String(10))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    synced_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DailyMetric(Base):
    """One row per campaign and account-local day; re-read days overwrite (attribution)."""

    __tablename__ = "daily_metrics"
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    spend: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    conversions: Mapped[Decimal] = mapped_column(Count, default=Decimal(0))
    conversion_value: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    synced_at: Mapped[datetime] = mapped_column(server_default=func.now())

    # Partitioned by month (migration 0015; the scheduler creates the months ahead). The
    # reference to integrations (and its cascade) is kept by statement-level triggers, not a
    # foreign key constraint (migration 0016: one check per insert statement, not per row);
    # the ForeignKey above stays for the ORM's insert order.
    __table_args__ = (
        Index("ix_daily_metrics_org_id_day", "org_id", "day"),
        {"postgresql_partition_by": "RANGE (day)"},
    )


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("integration_id", "external_id"),
        Index("ix_posts_org_id_published_at", "org_id", "published_at"),
    )
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column()
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime]
    likes: Mapped[int] = mapped_column(BigInteger, default=0)
    comments: Mapped[int] = mapped_column(BigInteger, default=0)
    shares: Mapped[int] = mapped_column(BigInteger, default=0)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    synced_at: Mapped[datetime] = mapped_column(server_default=func.now())


# --- org planning data (dashboard-api) ----------------------------------------------------


class ScheduledContent(Base):
    __tablename__ = "scheduled_content"
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    platforms: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    scheduled_for: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    created_at: Mapped[datetime] = _created_at()


class Kpi(Base):
    __tablename__ = "kpis"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # Which dashboard figure it tracks: roi, avg_ctr, avg_cpc, total_spend, ...
    metric: Mapped[str] = mapped_column(String(50))
    target: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = _created_at()


# --- sync runs (created queued by whoever requests; sync-worker records the rest) -------


class SyncRun(Base):
    __tablename__ = "sync_runs"
    __table_args__ = (
        Index("ix_sync_runs_integration_id_requested_at", "integration_id", "requested_at"),
        Index("ix_sync_runs_org_id_requested_at", "org_id", "requested_at"),
        # At most one queued-or-running run per integration and data type (backfill windows
        # aside: they run beside, and below, the schedule).
        Index(
            "uq_sync_runs_active",
            "integration_id",
            "data_type",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running') AND trigger <> 'backfill'"),
        ),
    )
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column()
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(String(20))
    data_type: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20))
    correlation_id: Mapped[uuid.UUID] = mapped_column()
    requested_by: Mapped[str | None] = mapped_column(String(200))
    # queued -> running -> success | failed; "retrying" while a retry entry waits.
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempt: Mapped[int] = mapped_column(SmallInteger, default=1)
    requested_at: Mapped[datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    error_class: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class SyncAttempt(Base):
    __tablename__ = "sync_attempts"
    __table_args__ = (UniqueConstraint("run_id", "attempt"),)
    id: Mapped[uuid.UUID] = _uuid_pk()
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(SmallInteger)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))  # success | failed
    error_origin: Mapped[str | None] = mapped_column(String(20))  # platform | worker
    error_class: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    retryable: Mapped[bool | None] = mapped_column(Boolean)


# --- schedule (scheduler) ---------------------------------------------------------------


class ScheduleEntry(Base):
    """Next due time per integration and schedule; claimed with FOR UPDATE SKIP LOCKED."""

    __tablename__ = "schedule_entries"
    __table_args__ = (
        UniqueConstraint("integration_id", "data_type"),
        Index("ix_schedule_entries_next_due_at", "next_due_at"),
    )
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column()
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(String(20))
    data_type: Mapped[str] = mapped_column(String(20))
    period_seconds: Mapped[int] = mapped_column(Integer)
    offset_seconds: Mapped[int] = mapped_column(Integer)
    next_due_at: Mapped[datetime]
    last_dispatched_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class RetryEntry(Base):
    """A durable retry: a failed attempt waiting for its next_attempt_at."""

    __tablename__ = "retry_entries"
    __table_args__ = (
        UniqueConstraint("run_id", "attempt"),
        Index("ix_retry_entries_due_at", "due_at", postgresql_where=text("dispatched_at IS NULL")),
    )
    id: Mapped[uuid.UUID] = _uuid_pk()
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    org_id: Mapped[uuid.UUID] = mapped_column()
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(String(20))
    data_type: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(SmallInteger)
    correlation_id: Mapped[uuid.UUID] = mapped_column()
    due_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]


# --- backfills (planned by dashboard-api, run by scheduler) ------------------------------


class Backfill(Base):
    """A requested date range over some integrations and data types, and its progress."""

    __tablename__ = "backfills"
    __table_args__ = (Index("ix_backfills_org_id_requested_at", "org_id", "requested_at"),)
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    requested_by: Mapped[str] = mapped_column(String(320))
    requested_at: Mapped[datetime] = mapped_column(server_default=func.now())
    correlation_id: Mapped[uuid.UUID] = mapped_column()
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    integration_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    data_types: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    only_gaps: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # running -> completed | completed_with_failures | cancelled (BackfillStatus)
    status: Mapped[str] = mapped_column(String(30))
    windows_total: Mapped[int] = mapped_column(Integer, server_default="0")
    windows_done: Mapped[int] = mapped_column(Integer, server_default="0")
    windows_failed: Mapped[int] = mapped_column(Integer, server_default="0")
    windows_cancelled: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_stored: Mapped[int] = mapped_column(BigInteger, server_default="0")
    finished_at: Mapped[datetime | None]


class BackfillWindow(Base):
    """One window of one integration and data type: one ``sync.requested`` (trigger
    backfill) when dispatched; ``run_id`` is the current attempt's run."""

    __tablename__ = "backfill_windows"
    __table_args__ = (
        Index(
            "ix_backfill_windows_pending",
            "platform",
            "not_before",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_backfill_windows_integration_id_data_type", "integration_id", "data_type"),
        Index("ix_backfill_windows_backfill_id", "backfill_id"),
        Index("uq_backfill_windows_run_id", "run_id", unique=True),
    )
    id: Mapped[uuid.UUID] = _uuid_pk()
    backfill_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("backfills.id", ondelete="CASCADE"))
    org_id: Mapped[uuid.UUID] = mapped_column()
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(String(20))
    data_type: Mapped[str] = mapped_column(String(20))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    # pending -> dispatched -> done | failed; pending | dispatched -> cancelled (WindowStatus)
    status: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    not_before: Mapped[datetime] = mapped_column(server_default=func.now())
    run_id: Mapped[uuid.UUID | None] = mapped_column()
    rows_stored: Mapped[int] = mapped_column(Integer, server_default="0")
    dispatched_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


# --- alerts (alerting) --------------------------------------------------------------------


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        # Dedupe: one open alert per (org, type, subject).
        Index(
            "uq_alerts_open",
            "org_id",
            "alert_type",
            "subject_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
    )
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(index=True)
    alert_type: Mapped[str] = mapped_column(String(30))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID] = mapped_column()
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    message: Mapped[str] = mapped_column(Text)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # Set by alerting when it applies a user's command (published by dashboard-api): while
    # acknowledged or snoozed, changes of the alert are stored but not announced.
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(320))
    snoozed_until: Mapped[datetime | None]


class AlertHistory(Base):
    __tablename__ = "alert_history"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    # raised | escalated | updated | resolved | acknowledged | snoozed
    action: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    cause_event_id: Mapped[uuid.UUID | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    details: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


# --- messaging plumbing (every service) ----------------------------------------------------


class OutboxMessage(Base):
    """Events written in the same transaction as the state change; the relay publishes them."""

    __tablename__ = "outbox"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # = event_id = AMQP message_id
    routing_key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp(), index=True)
    # A relay claims rows by setting a lease; only the lease holder may delete them once
    # published, and an expired lease (a crashed relay) lets another relay take over.
    lease_token: Mapped[uuid.UUID | None] = mapped_column()
    lease_until: Mapped[datetime | None]


class ProcessedEvent(Base):
    """The inbox: which consumer has already applied which event (idempotency)."""

    __tablename__ = "processed_events"
    consumer: Mapped[str] = mapped_column(String(60), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(server_default=func.now())


# --- notifications (notifier; channels and silences written by dashboard-api) ------------


class NotificationChannel(Base):
    """Where an organization's alerts go. ``org_id`` NULL: an operators' channel, which
    receives the system alerts (dead letters) that belong to no organization."""

    __tablename__ = "notification_channels"
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # webhook | slack | email
    # Fernet ciphertext of {"url": ..., "secret": ...} or {"to": ...}: URLs carry tokens.
    target_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    target_hint: Mapped[str] = mapped_column(String(320), default="")  # host or address
    # {"alert_types": [...] | null, "min_severity": "warning", "quiet_hours": {...} | null}
    routing: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class NotificationSilence(Base):
    """No notification about ``subject_id`` (of ``alert_type``, or any) until ``expires_at``."""

    __tablename__ = "notification_silences"
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column()
    alert_type: Mapped[str | None] = mapped_column(String(30))
    expires_at: Mapped[datetime]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _created_at()


class NotificationAlert(Base):
    """The grouping buffer: the latest state of each alert routed to a channel, until it has
    been notified (and, once resolved, until the resolved message is out)."""

    __tablename__ = "notification_alerts"
    __table_args__ = (Index("ix_notification_alerts_alert_id", "alert_id"),)
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE"), primary_key=True
    )
    alert_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[uuid.UUID] = mapped_column()
    firing: Mapped[bool] = mapped_column(Boolean)
    pending: Mapped[bool] = mapped_column(Boolean)  # changed since it was last notified
    changed_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class NotificationGroup(Base):
    __tablename__ = "notification_groups"
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE"), primary_key=True
    )
    group_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    created_at: Mapped[datetime]
    last_flush_at: Mapped[datetime | None]


class Notification(Base):
    """One message to one channel; its id is the idempotency key the receiver dedupes on.
    States: pending -> sending (claimed under a lease) -> delivered | pending (retry later)
    | failed (attempts exhausted). An expired lease (a crashed notifier) is claimed again."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "state", "next_attempt_at"),)
    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID | None] = mapped_column()
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # firing | resolved | repeat | test
    payload: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=func.now())
    lease_token: Mapped[uuid.UUID | None] = mapped_column()
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    delivered_at: Mapped[datetime | None]


class NotificationAttempt(Base):
    """Every delivery attempt, for the API and for operators: a dead receiver is never silent."""

    __tablename__ = "notification_attempts"
    __table_args__ = (Index("ix_notification_attempts_channel", "channel_id", "id"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE")
    )
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # delivered | failed
    reason: Mapped[str | None] = mapped_column(String(40))  # http_500, timeout, ...
    response_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(server_default=func.now())


# --- exchange rates (scheduler writes, dashboard-api reads) -------------------------------


class ExchangeRate(Base):
    """One published reference rate: units of ``currency`` per 1 EUR on ``rate_date`` (the
    euro reference rates' base; cross rates go through EUR). Days without publication
    (weekends, TARGET holidays) have no row: a conversion uses the last rate before them."""

    __tablename__ = "exchange_rates"
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 10))
    source: Mapped[str] = mapped_column(String(200))
    fetched_at: Mapped[datetime] = mapped_column(server_default=func.now())
