"""Roles in an organization: members read; admins also change integrations, KPIs, scheduled
content, settings and members."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
