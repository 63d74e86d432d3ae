"""The membership rule the API enforces: an organization always keeps an admin, so nobody
can lock everyone out of its settings and members. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from cmis_dashboard_api.domain.roles import Role


def leaves_no_admin(roles: Mapping[UUID, str], user_id: UUID, new_role: Role | None) -> bool:
    """Whether giving ``user_id`` ``new_role`` (``None``: removing them) would leave the
    organization without an admin. ``roles``: every member's current role."""
    admins = {member for member, role in roles.items() if role == Role.ADMIN}
    if user_id not in admins or new_role is Role.ADMIN:
        return False
    return admins == {user_id}
