"""Bodies of the notification routes: channels (webhook, Slack-compatible webhook, e-mail),
their delivery attempts, and silences."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Literal
from uuid import UUID

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic.json_schema import JsonDict

from cmis_dashboard_api.schemas.common import Body, Instant
from cmis_shared.events import AlertType, Severity

ChannelKind = Literal["webhook", "slack", "email"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class QuietHoursIn(Body):
    """A daily window in the organization's time zone; only critical alerts go out in it."""

    start: time = Field(examples=["22:00"])
    end: time = Field(examples=["07:00"])

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHoursIn:
        if self.start == self.end:
            raise ValueError("quiet hours need a start different from their end")
        return self


class RoutingIn(Body):
    alert_types: list[AlertType] | None = Field(
        default=None, description="The alert types this channel takes; null: every type."
    )
    min_severity: Severity = Severity.WARNING
    quiet_hours: QuietHoursIn | None = None

    def to_json(self) -> dict[str, object]:
        quiet = self.quiet_hours
        return {
            "alert_types": None if self.alert_types is None else [str(t) for t in self.alert_types],
            "min_severity": str(self.min_severity),
            "quiet_hours": None
            if quiet is None
            else {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M")},
        }


class ChannelTarget(Body):
    url: AnyHttpUrl | None = Field(
        default=None, description="webhook and slack: where to POST (stored encrypted)."
    )
    # The pattern is in the document too, so a client knows what an address must look like.
    to: str | None = Field(
        default=None, max_length=320, pattern=_EMAIL.pattern, description="email: the recipient."
    )


# The document states the rule of _target_fits_kind, so a client can know it before it asks.
_TARGET_BY_KIND: JsonDict = {
    "if": {"properties": {"kind": {"const": "email"}}, "required": ["kind"]},
    "then": {
        "required": ["to"],
        "properties": {"to": {"type": "string"}, "url": {"type": "null"}},
    },
    "else": {
        "required": ["url"],
        "properties": {"url": {"type": "string"}, "to": {"type": "null"}},
    },
}


class CreateChannel(ChannelTarget):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"allOf": [_TARGET_BY_KIND]})

    name: str = Field(min_length=1, max_length=200)
    kind: ChannelKind
    routing: RoutingIn = Field(default_factory=RoutingIn)

    @model_validator(mode="after")
    def _target_fits_kind(self) -> CreateChannel:
        if self.kind == "email" and (self.to is None or self.url is not None):
            raise ValueError("an email channel takes `to` (and no `url`)")
        if self.kind != "email" and (self.url is None or self.to is not None):
            raise ValueError(f"a {self.kind} channel takes `url` (and no `to`)")
        return self


class UpdateChannel(ChannelTarget):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    routing: RoutingIn | None = None
    enabled: bool | None = Field(
        default=None, description="true re-enables a channel disabled after failures."
    )


class ChannelOut(BaseModel):
    id: UUID
    name: str
    kind: str
    target_hint: str = Field(description="The URL's host or the address: never the full URL.")
    routing: dict[str, object]
    enabled: bool
    disabled_reason: str | None
    consecutive_failures: int
    created_at: datetime


class ChannelCreated(ChannelOut):
    signing_secret: str | None = Field(
        description="webhook only: the HMAC-SHA256 key, shown this once; store it."
    )


class ChannelList(BaseModel):
    channels: list[ChannelOut]


class TestQueued(BaseModel):
    notification_id: UUID = Field(description="The sample's id, also its idempotency key.")


class AttemptOut(BaseModel):
    id: int
    notification_id: UUID
    notification_kind: str
    attempt: int
    status: str
    reason: str | None
    response_code: int | None
    latency_ms: int
    error: str | None
    at: datetime


class AttemptPage(BaseModel):
    attempts: list[AttemptOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for older attempts.")


class CreateSilence(Body):
    subject_id: UUID = Field(description="The campaign or integration the alerts are about.")
    alert_type: AlertType | None = Field(default=None, description="null: any type.")
    expires_at: Instant
    comment: str = Field(default="", max_length=500)


class SilenceOut(BaseModel):
    id: UUID
    subject_id: UUID
    alert_type: str | None
    expires_at: datetime
    comment: str
    created_at: datetime


class SilenceList(BaseModel):
    silences: list[SilenceOut]
