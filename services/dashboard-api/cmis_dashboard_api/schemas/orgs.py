"""Bodies of the organization and integration routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, computed_field

from cmis_dashboard_api.domain.freshness import ATTRIBUTION_TEXT, attribution_window_days
from cmis_dashboard_api.schemas.common import (
    NO_NUL,
    AccountId,
    Body,
    Currency,
    Flag,
    Instant,
    Name,
    Secret,
    ShortKey,
    ShortText,
    TimeZone,
)
from cmis_shared.events import Platform


class Attribution(BaseModel):
    """How the platform attributes conversions to days: days inside the window may still
    change on the platform's side (and are re-read by every sync)."""

    window_days: int
    description: str


class OrganizationOut(BaseModel):
    id: UUID
    name: str
    timezone: str
    role: str


class OrganizationList(BaseModel):
    organizations: list[OrganizationOut]


class Credentials(Body):
    """Platform credentials: stored encrypted, never returned, logged or put in events."""

    access_token: Secret
    refresh_token: Secret | None = None
    token_secret: Secret | None = Field(default=None, description="OAuth 1.0a (X) only.")


class ConnectIntegration(Body):
    platform: Platform
    account_id: AccountId
    account_name: Name
    credentials: Credentials
    token_expires_at: Instant | None = None
    refreshable: Flag = False
    currency: Currency | None = None
    timezone: TimeZone = "UTC"
    account_extra: dict[ShortKey, ShortText] = Field(
        default_factory=dict,
        max_length=20,
        # What the key type says (the generated schema leaves the NUL rule out of it).
        json_schema_extra={
            "propertyNames": {"minLength": 1, "maxLength": 100, "pattern": NO_NUL},
            "additionalProperties": False,
        },
        description="Platform ids (page id, organization URN...), never secrets.",
    )


class UpdateIntegration(Body):
    """Fields to change; credentials given here are merged, so a reconnect that brings no
    refresh token keeps the stored one. A field given as null is left unchanged, except
    `currency` and `token_expires_at`, which null clears."""

    account_name: Name | None = None
    credentials: Credentials | None = None
    token_expires_at: Instant | None = None
    refreshable: Flag | None = None
    currency: Currency | None = None
    timezone: TimeZone | None = None
    status: Literal["active", "paused"] | None = Field(
        default=None, description="Pause or resume syncing."
    )


class IntegrationOut(BaseModel):
    id: UUID
    org_id: UUID
    platform: str
    account_id: str
    account_name: str
    currency: str | None = Field(description="The account's currency: its figures are in it.")
    timezone: str = Field(description="The account's time zone: its days are these.")
    account_extra: dict[str, Any]
    status: str
    status_reason: str | None
    token_expires_at: datetime | None
    refreshable: bool
    last_synced_at: datetime | None
    created_at: datetime

    @computed_field(description="To reconcile figures with the platform's own screen.")
    def attribution(self) -> Attribution:
        return Attribution(
            window_days=attribution_window_days(self.platform),
            description=ATTRIBUTION_TEXT.get(self.platform, "unknown"),
        )


class IntegrationList(BaseModel):
    integrations: list[IntegrationOut]
