"""Where scheduled content goes: each of its platforms mapped to a connected account.
``facebook`` and ``instagram`` are channels of the Meta connection: its Facebook page
(``account_extra.page_id``) and its Instagram business account (``ig_user_id``); the other
platforms are their own connection's account."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from cmis_shared.events import Platform

Channel = Literal["facebook", "instagram"]
CHANNELS: dict[str, tuple[Platform, str]] = {
    "facebook": (Platform.META, "page_id"),
    "instagram": (Platform.META, "ig_user_id"),
}


def publishing_targets(
    platforms: Iterable[str], integrations: Sequence[Any]
) -> list[dict[str, Any]]:
    """One target per platform: the account it maps to, or nulls when none is connected."""
    targets = []
    for name in platforms:
        platform, extra_key = CHANNELS.get(name, (name, None))
        account_id = integration_id = None
        for integration in integrations:
            if integration.platform != platform or integration.status != "active":
                continue
            if extra_key is None:
                account_id, integration_id = integration.account_id, integration.id
                break
            if integration.account_extra.get(extra_key):
                account_id = str(integration.account_extra[extra_key])
                integration_id = integration.id
                break
        targets.append(
            {"platform": name, "integration_id": integration_id, "account_id": account_id}
        )
    return targets
