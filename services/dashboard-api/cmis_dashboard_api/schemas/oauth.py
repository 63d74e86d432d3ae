"""Bodies of the OAuth connect routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from cmis_dashboard_api.schemas.common import NO_NUL, AccountId, Body
from cmis_dashboard_api.schemas.orgs import IntegrationOut

ReturnUrl = Annotated[
    str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://[^\x00\s]+$")
]


class StartOAuth(Body):
    return_url: ReturnUrl = Field(
        description="Where the browser goes back after the consent (must be on the server's "
        "allow-list, `CMIS_OAUTH_RETURN_URLS`); `oauth_pending=<id>` or `oauth_error=<code>` "
        "and `platform` are added to its query."
    )


class AuthorizationOut(BaseModel):
    authorization_url: str = Field(description="Send the browser here (a full-page redirect).")
    expires_at: datetime = Field(description="The consent must be completed before this.")


class ChoosableAccountOut(BaseModel):
    account_id: str
    name: str
    kind: str = Field(description="`ad_account`, `manager` (Google manager, Meta business) "
                      "or `page` (Meta; attach it to an ad account with `pages`).")  # fmt: skip
    currency: str | None
    timezone: str
    manager_id: str | None = Field(description="The manager or business it was reached through.")
    connectable: bool
    extra: dict[str, str] = Field(description="Platform ids (never secrets).")


class PendingOut(BaseModel):
    id: UUID
    platform: str
    expires_at: datetime
    accounts: list[ChoosableAccountOut]


class ConnectPending(Body):
    account_ids: list[AccountId] = Field(
        min_length=1, max_length=500, description="Connectable account ids of this grant."
    )
    pages: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)],
        AccountId,
    ] = Field(
        default_factory=dict,
        max_length=500,
        description="Meta only: chosen ad account id -> the page (of this grant) whose "
        "posts it reads; the page's Instagram business account follows.",
    )


class ConnectedOut(BaseModel):
    integrations: list[IntegrationOut]
