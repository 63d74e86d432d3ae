"""Field types shared by the API's bodies: bounded text PostgreSQL accepts, exact numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
KpiName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
AccountId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=4096, pattern=NO_NUL)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NO_NUL)]

# Exact decimal in and out, shown as a JSON number (serialized by schemas/jsonbytes.py).
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
Amount = Annotated[
    Decimal,
    Field(max_digits=20, decimal_places=6, ge=Decimal("-1e13"), le=Decimal("1e13")),
    WithJsonSchema({"type": "number", "minimum": -1e13, "maximum": 1e13}),
]

_ZONES: set[str] = set()


def _known_zone(value: str) -> str:
    if not _ZONES:
        _ZONES.update(available_timezones())
    if value not in _ZONES:
        raise ValueError("unknown IANA time zone")
    return value


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=NO_NUL),
    AfterValidator(_known_zone),
    WithJsonSchema({"type": "string", "examples": ["Europe/Berlin"], "maxLength": 64}),
]


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None


Instant = Annotated[AwareDatetime, AfterValidator(_to_utc)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail
