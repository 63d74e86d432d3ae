"""Field types shared by the API's bodies: bounded text PostgreSQL accepts, exact numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
ShortKey = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
KpiName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
AccountId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=4096, pattern=NO_NUL)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NO_NUL)]

# Exact decimal in and out, shown as a JSON number (serialized by schemas/jsonbytes.py).
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
MICRO = Decimal("0.000001")


def _to_micro_units(value: Decimal) -> Decimal:
    # Stored as NUMERIC(20, 6): any number the schema allows (|x| <= 1e13) fits once rounded
    # to six places, so the API rounds instead of refusing digits a JSON number may carry.
    return value.quantize(MICRO)


Amount = Annotated[
    Decimal,
    Field(ge=Decimal("-1e13"), le=Decimal("1e13"), allow_inf_nan=False),
    AfterValidator(_to_micro_units),
    WithJsonSchema({"type": "number", "minimum": -1e13, "maximum": 1e13}),
]
# JSON true/false only (no 0/1 or "yes"): what the schema's "boolean" says.
Flag = StrictBool

ZONES = frozenset(available_timezones())


def _known_zone(value: str) -> str:
    if value not in ZONES:
        raise ValueError("unknown IANA time zone")
    return value


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=NO_NUL),
    AfterValidator(_known_zone),
    # An alternation of every zone name rather than an enum: exactly as precise, and a
    # fuzzer's coverage phase tries a few matching names instead of each of ~600 values.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^(?:" + "|".join(z.replace("+", "\\+") for z in sorted(ZONES)) + ")$",
            "examples": ["Europe/Berlin"],
        }
    ),
]


def _iso_text(value: object) -> object:
    # Without this, 0 or "0" would pass as the Unix epoch, which the schema's "date" and
    # "date-time" formats do not allow: JSON and query strings carry ISO 8601 text only.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < len("2000-01-01") or not value[:4].isdigit():
        raise ValueError("expected an ISO 8601 date or time")
    return value


IsoText = BeforeValidator(_iso_text)


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None


Instant = Annotated[AwareDatetime, IsoText, AfterValidator(_to_utc)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail
