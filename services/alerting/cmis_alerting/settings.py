"""Alerting settings (environment, prefix ``CMIS_``): default thresholds and the timer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import Field

from cmis_alerting.domain.thresholds import Thresholds
from cmis_shared.settings import CmisSettings


class AlertingSettings(CmisSettings):
    service_name: str = "alerting"
    # Defaults for every organization; an organization overrides them in its settings JSON.
    budget_warning_pct: Decimal = Field(default=Decimal(90), gt=0)
    budget_critical_pct: Decimal = Field(default=Decimal(100), gt=0)
    token_warning_days: float = Field(default=7, gt=0)
    token_critical_hours: float = Field(default=24, gt=0)
    token_check_enabled: bool = Field(
        default=True, description="Evaluate token expiry on a timer, without events."
    )
    token_check_interval_seconds: float = Field(default=300, gt=0)

    def default_thresholds(self) -> Thresholds:
        return Thresholds(
            budget_warning_pct=self.budget_warning_pct,
            budget_critical_pct=self.budget_critical_pct,
            token_warning=timedelta(days=self.token_warning_days),
            token_critical=timedelta(hours=self.token_critical_hours),
        )
