"""The audit log's page: who changed what in an organization's settings and members."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class AuditEntry(BaseModel):
    id: UUID
    at: datetime
    actor_user_id: UUID | None
    actor_email: str
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any]
    after: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page."
    )
