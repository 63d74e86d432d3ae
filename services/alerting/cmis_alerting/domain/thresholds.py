"""Alert thresholds: service-wide defaults, overridable per organization.

An organization overrides them in ``organizations.settings`` under ``"alerts"``, e.g.
``{"alerts": {"budget_warning_pct": 80, "token_warning_days": 14}}``. A value that is not a
positive number is ignored (the default applies) rather than breaking alerting for the org.
``"anomaly_sensitivity"`` is one of ``"low"``, ``"medium"``, ``"high"`` (anything else is
ignored); ``"pacing_under_pct"`` is the share of a budget below which a projected finish
alerts as far under budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from cmis_alerting.domain.anomalies import DEFAULT_SENSITIVITY, SENSITIVITIES, Sensitivity
from cmis_alerting.domain.pacing import DEFAULT_UNDER_PCT
from cmis_shared.events import Severity

ORG_SETTINGS_KEY = "alerts"


@dataclass(frozen=True)
class Thresholds:
    budget_warning_pct: Decimal = Decimal(90)
    budget_critical_pct: Decimal = Decimal(100)
    token_warning: timedelta = timedelta(days=7)
    token_critical: timedelta = timedelta(hours=24)
    # Service-wide only: the platforms' API versions are the operator's to upgrade.
    api_sunset_warning: timedelta = timedelta(days=60)
    api_sunset_critical: timedelta = timedelta(days=14)
    anomaly_sensitivity: Sensitivity = DEFAULT_SENSITIVITY
    pacing_under_pct: Decimal = DEFAULT_UNDER_PCT

    def with_overrides(self, org_settings: Mapping[str, Any] | None) -> Thresholds:
        """These thresholds with the organization's valid overrides applied."""
        overrides = (org_settings or {}).get(ORG_SETTINGS_KEY)
        if not isinstance(overrides, Mapping):
            return self
        result = self
        if (pct := _positive(overrides.get("budget_warning_pct"))) is not None:
            result = replace(result, budget_warning_pct=pct)
        if (pct := _positive(overrides.get("budget_critical_pct"))) is not None:
            result = replace(result, budget_critical_pct=pct)
        if (days := _positive(overrides.get("token_warning_days"))) is not None:
            result = replace(result, token_warning=timedelta(days=float(days)))
        if (hours := _positive(overrides.get("token_critical_hours"))) is not None:
            result = replace(result, token_critical=timedelta(hours=float(hours)))
        level = overrides.get("anomaly_sensitivity")
        if isinstance(level, str) and level in SENSITIVITIES:
            result = replace(result, anomaly_sensitivity=SENSITIVITIES[level])
        if (pct := _positive(overrides.get("pacing_under_pct"))) is not None and pct < 100:
            result = replace(result, pacing_under_pct=pct)
        return result


def severity_within(
    remaining: timedelta, warning: timedelta, critical: timedelta
) -> Severity | None:
    """The severity of something that ends in ``remaining`` (negative: it has ended) under a
    warning and a critical lead time; None while it is further away than the warning."""
    if remaining <= critical:
        return Severity.CRITICAL
    if remaining <= warning:
        return Severity.WARNING
    return None


def _positive(value: object) -> Decimal | None:
    # bool is an int: `true` in the JSON is a mistake, not 1 %.
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None
