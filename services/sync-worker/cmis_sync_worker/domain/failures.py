"""What went wrong in an attempt, as a value the retry policy and the outcome event read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cmis_shared.events import ErrorClass
from cmis_sync_worker.domain.platform import ConnectorError

MAX_MESSAGE_LENGTH = 500


class ErrorOrigin(StrEnum):
    PLATFORM = "platform"  # the platform said no (or did not answer)
    WORKER = "worker"  # our side: limits, missing integration, a bug


@dataclass(frozen=True)
class Failure:
    error_class: ErrorClass
    message: str
    retryable: bool
    origin: ErrorOrigin
    retry_after_seconds: float | None = None

    @classmethod
    def from_connector(cls, error: ConnectorError) -> Failure:
        """The platform's own words (connectors never put a token in them)."""
        return cls(
            error_class=error.error_class,
            message=error.platform_message[:MAX_MESSAGE_LENGTH],
            retryable=error.retryable,
            origin=ErrorOrigin.PLATFORM,
            retry_after_seconds=error.retry_after,
        )

    @classmethod
    def unavailable(cls, reason: str) -> Failure:
        return cls(ErrorClass.INTEGRATION_UNAVAILABLE, reason, False, ErrorOrigin.WORKER)

    @classmethod
    def config_error(cls, reason: str) -> Failure:
        """Our stored configuration is wrong (a malformed account id): no retry helps."""
        return cls(ErrorClass.CONFIG_ERROR, reason, False, ErrorOrigin.WORKER)

    @classmethod
    def rate_limited_locally(cls, waited_seconds: float) -> Failure:
        return cls(
            ErrorClass.RATE_LIMITED,
            f"no platform capacity within {waited_seconds:g} s (shared limit)",
            True,
            ErrorOrigin.WORKER,
        )

    @classmethod
    def internal(cls, what: str, *, retryable: bool) -> Failure:
        return cls(
            ErrorClass.INTERNAL_ERROR, what[:MAX_MESSAGE_LENGTH], retryable, ErrorOrigin.WORKER
        )


class LimitWaitExceeded(Exception):
    def __init__(self, waited_seconds: float) -> None:
        super().__init__(f"no platform capacity within {waited_seconds:g} s")
        self.waited_seconds = waited_seconds
