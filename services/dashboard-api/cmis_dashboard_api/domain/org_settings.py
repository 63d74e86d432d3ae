"""An organization's settings: the values each service applies (the stored override, or the
service's default), and how a change through the API turns into new stored overrides and an
audit record. Pure: no I/O.

Where each group is read (``organizations.settings`` JSON, except the two columns):

- ``alerts``: alerting (``cmis_alerting.domain.thresholds``) on every evaluation;
- ``schedules``: the scheduler (``cmis_scheduler.domain.schedule``) when it plans entries;
- ``manual_triggers``: this API's per-org manual-trigger limit;
- ``timezone`` and ``currency``: columns of ``organizations``.

The defaults below are those services' code defaults (a unit test keeps them equal); an
operator's environment may change them for a whole deployment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

ALERTS, SCHEDULES, MANUAL_TRIGGERS = "alerts", "schedules", "manual_triggers"
TIMEZONE, CURRENCY = "timezone", "currency"
GROUPS = (ALERTS, SCHEDULES, MANUAL_TRIGGERS)
DEFAULT_TIMEZONE = "UTC"

ALERT_DEFAULTS: dict[str, float] = {
    "budget_warning_pct": 90,
    "budget_critical_pct": 100,
    "token_warning_days": 7,
    "token_critical_hours": 24,
}
SCHEDULE_DEFAULTS: dict[str, int | str] = {
    "metrics_seconds": 3600,
    "campaigns_seconds": 4 * 3600,
    "all_seconds": 86400,
    "all_at": "02:00",
}


@dataclass(frozen=True)
class TriggerLimit:
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class OrgSettings:
    """What is stored for one organization."""

    timezone: str
    currency: str | None
    overrides: Mapping[str, Any]  # organizations.settings


def _positive_number(value: object) -> bool:
    # The alerting rule (thresholds._positive): a positive finite number, never a bool.
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return False
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return False
    return number.is_finite() and number > 0


def _schedule_value(key: str, value: object) -> bool:
    # The scheduler's rule (schedule._override, _time_override).
    if key == "all_at":
        if not isinstance(value, str):
            return False
        try:
            time.fromisoformat(value)
        except ValueError:
            return False
        return True
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _trigger_value(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _group(overrides: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    raw = overrides.get(name)
    return raw if isinstance(raw, Mapping) else {}


def _effective(
    defaults: Mapping[str, Any], stored: Mapping[str, Any], valid: Any
) -> tuple[dict[str, Any], list[str]]:
    values, overridden = dict(defaults), []
    for key in defaults:
        if key in stored and valid(key, stored[key]):
            values[key] = stored[key]
            overridden.append(key)
    return values, overridden


def trigger_limit(overrides: Mapping[str, Any], default: TriggerLimit) -> TriggerLimit | None:
    """The organization's own manual-trigger limit (its valid overrides, the process's
    settings for the rest), or ``None`` when it has none: the process's limiter applies."""
    values, overridden = _effective(
        {"limit": default.limit, "window_seconds": default.window_seconds},
        _group(overrides, MANUAL_TRIGGERS),
        lambda _key, value: _trigger_value(value),
    )
    if not overridden:
        return None
    return TriggerLimit(values["limit"], values["window_seconds"])


def view(
    stored: OrgSettings, default_currency: str | None, triggers: TriggerLimit
) -> dict[str, Any]:
    """The settings document the API shows: the values in force, the defaults, and which
    values are the organization's own (``overridden``)."""
    alerts, alerts_set = _effective(
        ALERT_DEFAULTS, _group(stored.overrides, ALERTS), lambda _k, v: _positive_number(v)
    )
    schedules, schedules_set = _effective(
        SCHEDULE_DEFAULTS, _group(stored.overrides, SCHEDULES), _schedule_value
    )
    trigger_defaults = {"limit": triggers.limit, "window_seconds": triggers.window_seconds}
    manual, manual_set = _effective(
        trigger_defaults,
        _group(stored.overrides, MANUAL_TRIGGERS),
        lambda _key, value: _trigger_value(value),
    )
    overridden = [f"{ALERTS}.{key}" for key in alerts_set]
    overridden += [f"{SCHEDULES}.{key}" for key in schedules_set]
    overridden += [f"{MANUAL_TRIGGERS}.{key}" for key in manual_set]
    if stored.timezone != DEFAULT_TIMEZONE:
        overridden.insert(0, TIMEZONE)
    if stored.currency is not None:
        overridden.insert(1 if TIMEZONE in overridden else 0, CURRENCY)
    return {
        TIMEZONE: stored.timezone,
        CURRENCY: stored.currency or default_currency,
        ALERTS: {key: _number(value) for key, value in alerts.items()},
        SCHEDULES: schedules,
        MANUAL_TRIGGERS: manual,
        "defaults": {
            TIMEZONE: DEFAULT_TIMEZONE,
            CURRENCY: default_currency,
            ALERTS: dict(ALERT_DEFAULTS),
            SCHEDULES: dict(SCHEDULE_DEFAULTS),
            MANUAL_TRIGGERS: trigger_defaults,
        },
        "overridden": overridden,
    }


def _number(value: Any) -> Any:
    # A threshold stored as text ("110", accepted by alerting) is shown as the number it is.
    return Decimal(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class SettingsChange:
    """The new stored settings, what changed (groups, for the event) and the audit record's
    before/after values of exactly the keys that changed."""

    settings: OrgSettings
    changed: list[str]
    before: dict[str, Any]
    after: dict[str, Any]


def apply_patch(current: OrgSettings, patch: Mapping[str, Any]) -> SettingsChange:
    """Apply a validated patch: a key given sets a value; ``null`` removes the override (the
        default applies again; the time zone returns to UTC; a whole group's ``null`` resets each of
    its keys). Keys not given stay as they are.
        Stored keys the API does not know (kept by hand or by newer code) are left untouched."""
    timezone, currency = current.timezone, current.currency
    overrides = {key: value for key, value in current.overrides.items()}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if TIMEZONE in patch:
        timezone = patch[TIMEZONE] or DEFAULT_TIMEZONE
        _record(before, after, TIMEZONE, current.timezone, timezone)
    if CURRENCY in patch:
        currency = patch[CURRENCY]
        _record(before, after, CURRENCY, current.currency, currency)
    for group in GROUPS:
        if group not in patch:
            continue
        stored = dict(_group(overrides, group))
        # ``"alerts": null`` resets the whole group: each of its stored keys to null.
        group_patch = patch[group] if patch[group] is not None else dict.fromkeys(stored)
        for key, value in group_patch.items():
            old = stored.get(key)
            if value is None:
                stored.pop(key, None)
            else:
                stored[key] = value
            _record(before, after, f"{group}.{key}", old, value)
        if stored:
            overrides[group] = stored
        else:
            overrides.pop(group, None)
    changed = sorted({path.split(".", 1)[0] for path in after})
    return SettingsChange(OrgSettings(timezone, currency, overrides), changed, before, after)


def _record(before: dict[str, Any], after: dict[str, Any], path: str, old: Any, new: Any) -> None:
    if old != new:
        before[path], after[path] = old, new
