"""Notifier settings (environment, prefix ``CMIS_``): grouping, delivery and SMTP."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr

from cmis_notifier.domain.delivery import RetryPolicy
from cmis_notifier.domain.grouping import GroupPolicy
from cmis_shared.settings import CmisSettings


class NotifierSettings(CmisSettings):
    service_name: str = "notifier"
    web_base_url: str = Field(
        default="http://localhost:8080",
        description="The web dashboard's public address: every message links to its alerts page.",
    )
    # Grouping (Alertmanager's names and defaults, but resolve_wait: see domain/grouping.py).
    group_wait_seconds: float = Field(default=30, ge=0)
    group_interval_seconds: float = Field(default=300, ge=0)
    repeat_interval_seconds: float = Field(default=4 * 3600, gt=0)
    resolve_wait_seconds: float = Field(default=5, ge=0)
    flush_interval_seconds: float = Field(
        default=1, gt=0, description="How often due groups are looked for."
    )
    # Delivery.
    delivery_poll_seconds: float = Field(
        default=1, gt=0, description="Longest wait for due deliveries when nothing wakes it."
    )
    delivery_timeout_seconds: float = Field(default=10, gt=0, description="One attempt, at most.")
    delivery_lease_seconds: float = Field(
        default=60,
        gt=0,
        description="A claimed notification whose sender died is claimed again after this "
        "(and sent again with the same idempotency key). Longer than the timeout.",
    )
    delivery_concurrency: int = Field(default=16, ge=1, description="Attempts in flight in all.")
    delivery_max_attempts: int = Field(default=8, ge=1)
    retry_initial_seconds: float = Field(default=5, gt=0)
    retry_max_seconds: float = Field(default=600, gt=0)
    channel_disable_after_failures: int = Field(
        default=20, ge=1, description="Consecutive failed attempts that disable a channel."
    )
    notification_retention_days: float = Field(
        default=30, gt=0, description="Finished notifications and their attempts are kept so long."
    )
    # E-mail.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "CMIS alerts <alerts@cmis.localhost>"
    smtp_starttls: bool = False
    smtp_tls: bool = False
    # The operators' channel for system alerts (no organization): created at start-up if set.
    system_webhook_url: SecretStr | None = None
    system_webhook_secret: SecretStr | None = None

    def group_policy(self) -> GroupPolicy:
        return GroupPolicy(
            group_wait=timedelta(seconds=self.group_wait_seconds),
            group_interval=timedelta(seconds=self.group_interval_seconds),
            repeat_interval=timedelta(seconds=self.repeat_interval_seconds),
            resolve_wait=timedelta(seconds=self.resolve_wait_seconds),
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.delivery_max_attempts,
            initial=timedelta(seconds=self.retry_initial_seconds),
            maximum=timedelta(seconds=self.retry_max_seconds),
            disable_after_failures=self.channel_disable_after_failures,
        )
