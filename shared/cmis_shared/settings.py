"""Typed settings read from the environment (prefix ``CMIS_``), built at start-up, never at import.

Every service subclasses :class:`CmisSettings` and adds its own fields; all of them share the
connection settings and the ``namespace`` that isolates exchanges, queues and Redis keys (tests
give each run its own).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CMIS_"

# A development-only Fernet key: fine on a laptop, refused unless the environment says
# development or test.
DEVELOPMENT_ENCRYPTION_KEY = "Y21pcy1kZXZlbG9wbWVudC1rZXktbm90LWZvci1wcmQ="
# Environments where development conveniences (the key above, the simulator, benchmark routes)
# are allowed. Anything else, an unset environment included, is treated as production.
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})


class SettingsError(ValueError):
    """Raised when the environment holds a missing or invalid setting; names the variable."""


class CmisSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = Field(
        default="production",
        description="Unset means production (fail closed): development keys, the platform "
        "simulator and benchmark routes need an explicit development or test.",
    )
    service_name: str = "cmis"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/cmis"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_pool_pre_ping: bool = Field(
        default=False,
        description="Test every pooled connection on checkout (3 extra round trips each: "
        "BEGIN, ping, ROLLBACK). Off by default: a dead connection fails that one unit of "
        "work (redelivered) and SQLAlchemy then invalidates the pool.",
    )
    database_pool_recycle_seconds: float = Field(
        default=1800.0,
        gt=0,
        description="Replace a pooled connection older than this (idle-timeouts, failovers).",
    )
    database_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Give up opening a PostgreSQL connection after this."
    )
    database_statement_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="PostgreSQL cancels any statement running longer (server-side "
        "statement_timeout); the client gives up a little later (asyncpg command_timeout).",
    )
    database_idle_in_transaction_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="PostgreSQL ends a session idle inside a transaction this long, so a hung "
        "client never keeps row locks (claimed schedule entries, outbox leases).",
    )
    rabbit_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    rabbit_urls: str = Field(
        default="",
        description="Comma-separated AMQP URLs of a RabbitMQ cluster's nodes: connections go to "
        "the first that answers and, when it goes away, to the next (empty: rabbit_url only).",
    )
    publish_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Give up one publish (and its confirm) after this."
    )
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Connect and socket timeout of every Redis call: Redis holds only what can "
        "be rebuilt, so a slow Redis must never hold up a sync or a database transaction.",
    )
    namespace: str = Field(
        default="",
        description="Prefix for exchange, queue and Redis key names; isolates test runs.",
        pattern=r"^[A-Za-z0-9_.-]*$",
    )
    encryption_keys: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_ENCRYPTION_KEY),
        description="Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).",
    )
    prefetch_count: int = Field(default=64, ge=1, le=5000)
    graceful_timeout_seconds: float = Field(default=15.0, ge=0)
    outbox_batch_size: int = Field(default=200, ge=1, le=5000)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_lease_seconds: float = Field(
        default=30.0, gt=0, description="How long a relay owns a claimed batch before another may."
    )
    outbox_batch_deadline_seconds: float | None = Field(
        default=None,
        gt=0,
        description="Rows of a claimed batch not confirmed by the broker within this go back "
        "to the outbox (published again after a short delay); what was confirmed is done. "
        "Must be shorter than the lease; default: half the lease.",
    )
    task_restart_initial_seconds: float = Field(
        default=0.5, gt=0, description="First pause before a failed background task restarts."
    )
    task_restart_max_seconds: float = Field(
        default=30.0, gt=0, description="Longest pause between restarts of a failing task."
    )
    consumer_max_attempts: int = Field(
        default=3,
        ge=1,
        description="Handler failures caused by the message or its data before it is "
        "dead-lettered (counted by us in the x-cmis-attempts header, on every queue type).",
    )
    consumer_retry_pause_seconds: float = Field(
        default=0.5, ge=0, description="Pause before a message that failed is tried again."
    )
    consumer_infra_retry_max_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest pause between retries of a handler failing on an infrastructure "
        "error (database, broker, Redis, timeouts); such retries never dead-letter.",
    )
    health_check_timeout_seconds: float = Field(
        default=3.0, gt=0, description="Give up one readiness check after this."
    )
    health_check_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often the watchdog checks dependencies."
    )
    outbox_max_age_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Not ready while the oldest unpublished outbox row is older than this.",
    )
    dependency_outage_exit_seconds: float = Field(
        default=120.0,
        gt=0,
        description="Exit non-zero when the database, broker or Redis stays unreachable this "
        "long, so the process supervisor restarts the process.",
    )
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP traces endpoint, e.g. http://collector:4318"
    )
    trace_file: str | None = Field(
        default=None, description="Write finished spans as JSON lines to this file (tests, demo)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    metrics_port: int | None = Field(
        default=None,
        description="Serve /metrics, /healthz and /readyz on this port (none: not served).",
    )

    @property
    def is_development(self) -> bool:
        """True only where the environment explicitly says development or test."""
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    @property
    def uses_development_key(self) -> bool:
        return DEVELOPMENT_ENCRYPTION_KEY in self.encryption_keys.get_secret_value()

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> CmisSettings:
        if not self.is_development and self.uses_development_key:
            raise ValueError(
                f"{ENV_PREFIX}ENCRYPTION_KEYS holds the development key, accepted only with "
                f"{ENV_PREFIX}ENVIRONMENT=development or test; set a real Fernet key"
            )
        return self

    @model_validator(mode="after")
    def _batch_deadline_inside_the_lease(self) -> CmisSettings:
        deadline = self.outbox_batch_deadline_seconds
        if deadline is not None and deadline >= self.outbox_lease_seconds:
            # Past the lease another relay lane may claim the rows still being published.
            raise ValueError(
                f"{ENV_PREFIX}OUTBOX_BATCH_DEADLINE_SECONDS ({deadline}) must be shorter "
                f"than {ENV_PREFIX}OUTBOX_LEASE_SECONDS ({self.outbox_lease_seconds})"
            )
        return self

    def protections(self) -> dict[str, object]:
        """What the start-up log line reports as switched on; services add their own.
        Key names avoid the log redactor's markers (token, secret, ...): these are not secrets."""
        return {
            "environment": self.environment,
            "development_conveniences_refused": not self.is_development,
            "encryption_key_source": "development" if self.uses_development_key else "configured",
        }

    @property
    def amqp_urls(self) -> tuple[str, ...]:
        """Every broker address to try, in order (``rabbit_urls``, else ``rabbit_url``)."""
        urls = tuple(url.strip() for url in self.rabbit_urls.split(",") if url.strip())
        return urls or (self.rabbit_url,)

    def redis_key(self, *parts: str) -> str:
        return ":".join((f"{self.namespace}cmis", *parts))


SettingsT = TypeVar("SettingsT", bound=CmisSettings)


def load_settings(settings_class: type[SettingsT], **overrides: object) -> SettingsT:
    """Build settings from the environment, turning pydantic's errors into one that names
    the environment variables at fault."""
    try:
        return settings_class(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = "__".join(str(part) for part in item["loc"]) or "(settings)"
            variable = f"{ENV_PREFIX}{field.upper()}" if item["loc"] else field
            problems.append(f"{variable}: {item['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
