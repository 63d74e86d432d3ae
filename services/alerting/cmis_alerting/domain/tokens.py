"""Token-expiry rule: warn before an integration's access token expires, critical when it is
about to (or did). Evaluated on events that carry the expiry and on a timer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_alerting.domain.thresholds import Thresholds, severity_within
from cmis_shared.events import AlertType, IntegrationStatus


def token_key(org_id: UUID, integration_id: UUID) -> AlertKey:
    return AlertKey(org_id, AlertType.TOKEN_EXPIRY, "integration", integration_id)


def _remaining_text(remaining: timedelta) -> str:
    if remaining <= timedelta(0):
        return "has expired"
    if remaining < timedelta(hours=1):
        return "expires in less than an hour"
    if remaining < timedelta(days=1):
        return f"expires in {int(remaining / timedelta(hours=1))} hours"
    days = int(remaining / timedelta(days=1))
    return f"expires in {days} day{'s' if days != 1 else ''}"


def token_observation(
    org_id: UUID,
    integration_id: UUID,
    platform: str,
    expires_at: datetime | None,
    thresholds: Thresholds,
    now: datetime,
    fact_at: datetime,
    *,
    known_expired: bool = False,
    refreshable: bool = False,
) -> Observation:
    """``known_expired``: the platform already refused the token, whatever its expiry says.
    ``refreshable``: the worker renews the access token before it expires, so only a refused
    refresh (``known_expired``) is worth an alert."""
    key = token_key(org_id, integration_id)
    if known_expired:
        remaining = timedelta(0)
    elif refreshable:
        return clear(key, fact_at, "access token is renewed automatically")
    elif expires_at is None:
        return clear(key, fact_at, "token does not expire")
    else:
        remaining = expires_at - now
    severity = severity_within(remaining, thresholds.token_warning, thresholds.token_critical)
    if severity is None:
        return clear(key, fact_at, "token is valid beyond the warning period")
    return holds(
        key,
        fact_at,
        severity,
        f"Access token of the {platform} integration {_remaining_text(remaining)}",
        {
            "platform": platform,
            "token_expires_at": expires_at.isoformat() if expires_at else None,
        },
    )


class TokenReport(Protocol):
    """An event that reports an integration's token expiry (sync outcome, integration facts)."""

    @property
    def org_id(self) -> UUID: ...
    @property
    def integration_id(self) -> UUID: ...
    @property
    def platform(self) -> str: ...
    @property
    def token_expires_at(self) -> datetime | None: ...
    @property
    def occurred_at(self) -> datetime: ...


def reported_token_observation(
    event: TokenReport,
    thresholds: Thresholds,
    now: datetime,
    *,
    refreshable: bool,
    known_expired: bool = False,
) -> Observation:
    """The token rule on what ``event`` reports, as of the event's time."""
    return token_observation(
        event.org_id,
        event.integration_id,
        str(event.platform),
        event.token_expires_at,
        thresholds,
        now,
        event.occurred_at,
        known_expired=known_expired,
        refreshable=refreshable,
    )


@dataclass(frozen=True)
class TokenFacts:
    """An integration's stored token expiry and status, with its organization's settings."""

    org_id: UUID
    integration_id: UUID
    platform: str
    token_expires_at: datetime | None
    status: str = IntegrationStatus.ACTIVE
    org_settings: Mapping[str, Any] = field(default_factory=dict)
    refreshable: bool = False


def timer_observations(
    integrations: Iterable[TokenFacts],
    open_token_alerts: Mapping[UUID, AlertKey],
    defaults: Thresholds,
    now: datetime,
) -> list[Observation]:
    """The timer's view of the stored integrations (``open_token_alerts`` by subject id):

    - active: alerts for tokens nearing expiry, clears for open alerts whose token was renewed;
    - paused: left as the events set them (the token still matters when it resumes);
    - disconnected or gone: open alerts clear. The table is the authority here, which also
      repairs an alert whose clearing event looked older than a timer check.
    Integrations with nothing to raise and nothing open are left out."""
    observations = []
    seen: set[UUID] = set()
    for facts in integrations:
        seen.add(facts.integration_id)
        is_open = facts.integration_id in open_token_alerts
        if facts.status == IntegrationStatus.PAUSED:
            continue
        if facts.status != IntegrationStatus.ACTIVE:
            if is_open:
                observations.append(
                    clear(open_token_alerts[facts.integration_id], now, "integration disconnected")
                )
            continue
        observation = token_observation(
            facts.org_id,
            facts.integration_id,
            facts.platform,
            facts.token_expires_at,
            defaults.with_overrides(facts.org_settings),
            now,
            now,
            refreshable=facts.refreshable,
        )
        if not observation.is_clear or is_open:
            observations.append(observation)
    observations.extend(
        clear(key, now, "integration no longer exists")
        for subject_id, key in open_token_alerts.items()
        if subject_id not in seen
    )
    return observations
