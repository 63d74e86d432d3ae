"""The records the handlers receive from the stores (plain data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from cmis_notifier.domain.delivery import AttemptResult, NextStep
from cmis_notifier.domain.grouping import BufferedAlert, Group
from cmis_notifier.domain.routing import Route
from cmis_notifier.domain.silences import Silence


class ChannelKind:
    WEBHOOK = "webhook"
    SLACK = "slack"
    EMAIL = "email"
    ALL = (WEBHOOK, SLACK, EMAIL)


@dataclass(frozen=True)
class RoutedChannel:
    channel_id: UUID
    route: Route


@dataclass(frozen=True)
class DueGroup:
    """A group locked for this flush, with what the decision needs."""

    channel_id: UUID
    org_id: UUID | None
    group_key: str
    group: Group
    route: Route
    timezone: str
    alerts: list[BufferedAlert]
    payloads: dict[UUID, dict[str, Any]]  # alert_id -> the alert event's fields
    silences: list[Silence] = field(default_factory=list)


@dataclass(frozen=True)
class ClaimedNotification:
    """A notification this process holds under ``lease_token`` until it records the result."""

    notification_id: UUID
    channel_id: UUID
    channel_kind: str
    target_encrypted: bytes
    kind: str
    payload: dict[str, Any]
    attempts: int  # including this one
    lease_token: UUID
    created_at: datetime
    org_id: UUID | None


@dataclass(frozen=True)
class Recorded:
    """What recording an attempt changed."""

    state: str
    channel_disabled: bool
    channel_failures: int
    org_id: UUID | None = None
    channel_name: str = ""
    reason: str | None = None  # the attempt's failure reason


@dataclass(frozen=True)
class FinishedAttempt:
    """One delivery attempt of a claimed notification, its result and what comes next."""

    claimed: ClaimedNotification
    result: AttemptResult
    step: NextStep
