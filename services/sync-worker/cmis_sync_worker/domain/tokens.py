"""When an access token must be refreshed before a platform is called."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class TokenAction(StrEnum):
    USE = "use"  # valid for longer than the margin
    REFRESH = "refresh"  # expired or about to: refresh first
    EXPIRED = "expired"  # expired and no way to refresh: the user has to reconnect


def token_action(
    expires_at: datetime | None,
    now: datetime,
    margin: timedelta,
    *,
    can_refresh: bool,
) -> TokenAction:
    """A token expiring within ``margin`` is refreshed now, so a long sync does not expire
    mid-way. One that cannot be refreshed is used until it has actually expired."""
    if expires_at is None:
        return TokenAction.USE
    if expires_at - margin > now:
        return TokenAction.USE
    if can_refresh:
        return TokenAction.REFRESH
    return TokenAction.USE if expires_at > now else TokenAction.EXPIRED
