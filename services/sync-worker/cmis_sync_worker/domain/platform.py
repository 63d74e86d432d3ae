"""The normalized model every platform connector maps to, and the connector errors.

Pure values: the connectors (adapters) produce them, the handlers and the domain read them.
Money is ``Decimal`` in the account currency; dates are the ad account's own days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from cmis_shared.events import BudgetPeriod, ErrorClass, Platform, PostFigures


@dataclass(frozen=True)
class AccountRef:
    """Which platform account to read. ``extra`` holds platform-specific ids
    (Meta page / Instagram user id, LinkedIn organization id, X user id)."""

    platform: Platform
    account_id: str
    timezone: str = "UTC"
    currency: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Credentials:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class NormalizedCampaign:
    external_id: str
    name: str
    status: str  # normalized: active, paused, removed, archived, draft, unknown
    currency: str
    budget_amount: Decimal | None = None
    budget_period: BudgetPeriod | None = None
    start_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class NormalizedDailyMetric:
    campaign_external_id: str
    day: date
    currency: str
    impressions: int = 0
    clicks: int = 0
    spend: Decimal = Decimal(0)
    conversions: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)


class NormalizedPost(PostFigures):
    """A post as a connector read it (the fields every copy of a post has, and its id on
    the platform)."""

    external_id: str


class ConnectorError(Exception):
    """Base of every connector failure. ``platform_message`` is the platform's own words
    (never a token, never a whole response body)."""

    error_class: ErrorClass = ErrorClass.PLATFORM_ERROR
    retryable: bool = False

    def __init__(
        self, platform: Platform, platform_message: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{platform.value}: {platform_message}")
        self.platform = platform
        self.platform_message = platform_message
        self.retry_after = retry_after


class RateLimited(ConnectorError):
    """The platform asked us to wait (``retry_after`` seconds, when it said how long)."""

    error_class = ErrorClass.RATE_LIMITED
    retryable = True


class QuotaExhausted(RateLimited):
    """A daily quota: retrying before it resets only burns budget."""

    retryable = False


class TokenExpired(ConnectorError):
    """The access token expired; a refresh may fix it."""

    error_class = ErrorClass.TOKEN_EXPIRED


class AuthRevoked(ConnectorError):
    """The grant is gone: the user has to reconnect."""

    error_class = ErrorClass.AUTH_REVOKED


class ConfigError(ConnectorError):
    """Bad account id, missing permission, bad request: retrying will not help."""

    error_class = ErrorClass.CONFIG_ERROR


class TransientPlatformError(ConnectorError):
    """5xx and connection errors."""

    error_class = ErrorClass.PLATFORM_ERROR
    retryable = True


class PlatformTimeout(TransientPlatformError):
    error_class = ErrorClass.TIMEOUT


class InvalidResponse(ConnectorError):
    """The answer did not have the shape we expect (schema drift, malformed JSON)."""

    error_class = ErrorClass.INVALID_RESPONSE
