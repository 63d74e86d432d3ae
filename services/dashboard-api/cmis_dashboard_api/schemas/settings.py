"""Bodies of the organization settings routes. Every constraint the code applies is in the
schema (enums for time zones and currencies, ranges, strict types), so a client validating
against the document is never refused by the API."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, Strict, WithJsonSchema

from cmis_dashboard_api.domain.currencies import ISO_4217
from cmis_dashboard_api.schemas.common import Body, Number

ZONES = frozenset(available_timezones())


def _in(allowed: frozenset[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what}")
        return value

    return AfterValidator(check)


IanaZone = Annotated[
    str,
    _in(ZONES, "IANA time zone"),
    WithJsonSchema({"type": "string", "enum": sorted(ZONES), "examples": ["Europe/Berlin"]}),
]
CurrencyCode = Annotated[
    str,
    _in(ISO_4217, "ISO 4217 currency"),
    WithJsonSchema({"type": "string", "enum": sorted(ISO_4217), "examples": ["EUR"]}),
]


def _whole_number(value: object) -> object:
    # JSON Schema counts 47.0 as an integer; a bool or a string stays refused (strict).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = BeforeValidator(_whole_number)

Percent = Annotated[float, Strict(), Field(gt=0, le=1000, allow_inf_nan=False)]
Days = Annotated[float, Strict(), Field(gt=0, le=365, allow_inf_nan=False)]
Hours = Annotated[float, Strict(), Field(gt=0, le=8760, allow_inf_nan=False)]
# 0 switches the schedule off; otherwise at least a minute, at most 30 days.
Off = Annotated[int, Strict(), Field(ge=0, le=0), WholeNumber]
Period = Annotated[int, Strict(), Field(ge=60, le=30 * 86400), WholeNumber]
LocalTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
TriggerCount = Annotated[int, Strict(), Field(ge=1, le=10_000), WholeNumber]
WindowSeconds = Annotated[int, Strict(), Field(ge=1, le=86400), WholeNumber]


class AlertsPatch(Body):
    """Alert thresholds; ``null`` returns one to the default."""

    budget_warning_pct: Percent | None = Field(
        default=None, description="Warn when a campaign has spent this % of its budget."
    )
    budget_critical_pct: Percent | None = Field(
        default=None, description="Critical at this % of the budget."
    )
    token_warning_days: Days | None = Field(
        default=None, description="Warn this many days before an access token expires."
    )
    token_critical_hours: Hours | None = Field(
        default=None, description="Critical this many hours before it expires."
    )


class SchedulesPatch(Body):
    """Sync schedule per data type; ``0`` switches one off, ``null`` returns to the default."""

    metrics_seconds: Off | Period | None = Field(default=None, description="Metrics period.")
    campaigns_seconds: Off | Period | None = Field(default=None, description="Campaigns period.")
    all_seconds: Off | Period | None = Field(default=None, description="Full sync period.")
    all_at: LocalTime | None = Field(
        default=None, description="Local time (organization's time zone) of the full sync."
    )


class ManualTriggersPatch(Body):
    """The organization's manual sync trigger limit: ``limit`` requests per window."""

    limit: TriggerCount | None = None
    window_seconds: WindowSeconds | None = None


class SettingsPatch(Body):
    """Only the keys given change; ``null`` removes an override (its default applies again;
    the time zone returns to UTC; a whole group's ``null`` resets the group)."""

    timezone: IanaZone | None = None
    currency: CurrencyCode | None = Field(
        default=None, description="Reporting currency (ISO 4217); null: the first account's."
    )
    alerts: AlertsPatch | None = None
    schedules: SchedulesPatch | None = None
    manual_triggers: ManualTriggersPatch | None = None


class Alerts(BaseModel):
    budget_warning_pct: Number
    budget_critical_pct: Number
    token_warning_days: Number
    token_critical_hours: Number


class Schedules(BaseModel):
    metrics_seconds: int
    campaigns_seconds: int
    all_seconds: int
    all_at: str


class ManualTriggers(BaseModel):
    limit: int
    window_seconds: int


class SettingsDefaults(BaseModel):
    timezone: str
    currency: str | None
    alerts: Alerts
    schedules: Schedules
    manual_triggers: ManualTriggers


class SettingsOut(BaseModel):
    timezone: str
    currency: str | None = Field(
        description="The organization's currency, else its first connected account's (null "
        "before any account with a currency is connected)."
    )
    alerts: Alerts
    schedules: Schedules
    manual_triggers: ManualTriggers
    defaults: SettingsDefaults
    overridden: list[str] = Field(
        description="The values that are the organization's own (dotted paths)."
    )
