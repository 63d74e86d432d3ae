"""Alerting settings (environment, prefix ``CMIS_``): default thresholds and the timers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field

from cmis_alerting.domain.anomalies import SENSITIVITIES
from cmis_alerting.domain.thresholds import Thresholds
from cmis_shared.settings import CmisSettings


class AlertingSettings(CmisSettings):
    service_name: str = "alerting"
    # Defaults for every organization; an organization overrides them in its settings JSON.
    budget_warning_pct: Decimal = Field(default=Decimal(90), gt=0)
    budget_critical_pct: Decimal = Field(default=Decimal(100), gt=0)
    token_warning_days: float = Field(default=7, gt=0)
    token_critical_hours: float = Field(default=24, gt=0)
    # Before a platform API version's announced end of life (sync.completed's api_sunset_on).
    api_sunset_warning_days: float = Field(default=60, gt=0)
    api_sunset_critical_days: float = Field(default=14, gt=0)
    anomaly_sensitivity: Literal["low", "medium", "high"] = Field(
        default="medium", description="Anomaly rules' default; an organization overrides it."
    )
    pacing_under_pct: Decimal = Field(default=Decimal(50), gt=0, lt=100)
    token_check_enabled: bool = Field(
        default=True, description="Evaluate token expiry on a timer, without events."
    )
    token_check_interval_seconds: float = Field(default=300, gt=0)
    dead_letter_check_enabled: bool = Field(
        default=True, description="Alert while the dead-letter queue holds messages."
    )
    dead_letter_check_interval_seconds: float = Field(default=30, gt=0)
    alert_history_retention_enabled: bool = True
    alert_history_retention_days: float = Field(
        default=365, gt=0, description="alert_history rows older than this are deleted."
    )
    alert_history_retention_interval_seconds: float = Field(default=3600, gt=0)
    alert_history_retention_batch_size: int = Field(default=1000, ge=1, le=100_000)
    alert_history_retention_max_batches: int = Field(
        default=100, ge=1, description="Batches per run at most; the rest waits for the next."
    )

    def default_thresholds(self) -> Thresholds:
        return Thresholds(
            budget_warning_pct=self.budget_warning_pct,
            budget_critical_pct=self.budget_critical_pct,
            token_warning=timedelta(days=self.token_warning_days),
            token_critical=timedelta(hours=self.token_critical_hours),
            api_sunset_warning=timedelta(days=self.api_sunset_warning_days),
            api_sunset_critical=timedelta(days=self.api_sunset_critical_days),
            anomaly_sensitivity=SENSITIVITIES[self.anomaly_sensitivity],
            pacing_under_pct=self.pacing_under_pct,
        )
