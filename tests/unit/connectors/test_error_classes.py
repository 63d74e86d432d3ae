"""Each platform's failure signals map to one typed error; messages keep the platform's
words but never a token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cmis_sync_worker.connectors import google_ads, linkedin, meta, tiktok, twitter
from cmis_sync_worker.connectors.base import (
    AuthRevoked,
    ConfigError,
    ConnectorError,
    QuotaExhausted,
    RateLimited,
    TokenExpired,
    TransientPlatformError,
)

pytestmark = pytest.mark.unit
NOW = datetime(2024, 5, 1, 23, 0, tzinfo=UTC)


def google(status: int, code: dict[str, str] | None = None) -> ConnectorError:
    details = [{"errors": [{"errorCode": code, "message": "m"}]}] if code else []
    return google_ads.classify_error(
        status, {"error": {"code": status, "message": "m", "details": details}}
    )


def meta_error(code: int, subcode: int | None = None, status: int = 400) -> ConnectorError:
    return meta.classify_error(
        status, {"error": {"code": code, "error_subcode": subcode, "message": "m"}}, {}
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (google(401, {"authenticationError": "OAUTH_TOKEN_EXPIRED"}), TokenExpired),
        (google(401, {"authenticationError": "OAUTH_TOKEN_REVOKED"}), AuthRevoked),
        (google(403, {"authorizationError": "USER_PERMISSION_DENIED"}), ConfigError),
        (google(503), TransientPlatformError),
        (meta_error(17), RateLimited),
        (meta_error(613), RateLimited),
        (meta_error(80008), RateLimited),
        (meta_error(190, 463), TokenExpired),
        (meta_error(190, 460), AuthRevoked),
        (meta_error(100), ConfigError),
        (meta_error(2, status=500), TransientPlatformError),
        (tiktok.classify_envelope(40100, "Too many requests"), RateLimited),
        (tiktok.classify_envelope(40105, "invalid token"), AuthRevoked),
        (tiktok.classify_envelope(40002, "bad param"), ConfigError),
        (tiktok.classify_envelope(50000, "system error"), TransientPlatformError),
        (
            linkedin.classify_error(429, {"message": "APPLICATION DAY limit"}, None, NOW),
            QuotaExhausted,
        ),
        (linkedin.classify_error(429, {"message": "MINUTE limit"}, 5.0, NOW), RateLimited),
        (
            linkedin.classify_error(
                401, {"serviceErrorCode": 65601, "message": "revoked"}, None, NOW
            ),
            AuthRevoked,
        ),
        (
            linkedin.classify_error(
                401, {"serviceErrorCode": 65602, "message": "expired"}, None, NOW
            ),
            TokenExpired,
        ),
        (
            twitter.classify_error(
                429, {"errors": [{"code": "TOO_MANY_REQUESTS", "message": "m"}]}, 10.0
            ),
            RateLimited,
        ),
        (
            twitter.classify_error(
                401, {"errors": [{"code": "UNAUTHORIZED_ACCESS", "message": "m"}]}, None
            ),
            AuthRevoked,
        ),
        (
            twitter.classify_error(404, {"errors": [{"code": "NOT_FOUND", "message": "m"}]}, None),
            ConfigError,
        ),
    ],
)
def test_classification(error: ConnectorError, expected: type[ConnectorError]) -> None:
    assert type(error) is expected


def test_linkedin_daily_quota_waits_until_utc_midnight_and_is_not_retryable() -> None:
    error = linkedin.classify_error(429, {"message": "APPLICATION DAY limit"}, None, NOW)
    assert error.retry_after == 3600 and not error.retryable


def test_retryable_flags() -> None:
    assert RateLimited.retryable and TransientPlatformError.retryable
    assert not AuthRevoked.retryable and not ConfigError.retryable and not QuotaExhausted.retryable
