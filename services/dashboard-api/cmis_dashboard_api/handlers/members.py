"""An organization's members: add an existing user, change a role, remove. Each change is
one transaction with its audit record, under the organization's row lock (so two admins
demoting each other at once cannot leave it without an admin). After a change this
process's auth cache is dropped: the member's new rights apply to their next request here,
and in other API processes within the auth-cache period (``CMIS_AUTH_CACHE_SECONDS``), after
which an open live stream of a removed member closes."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from cmis_dashboard_api.domain.members import leaves_no_admin
from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.ports import AuditRecord, Principal, UnitOfWork
from cmis_dashboard_api.schemas.members import MemberOut

MEMBER = "member"
# Called after a committed membership change (the auth cache forgets what it knew).
MembershipChanged = Callable[[], None]


class UserNotFoundError(LookupError):
    """No user has this email."""


class MemberNotFoundError(LookupError):
    """The user is not a member of the organization."""


class AlreadyMemberError(ValueError):
    """The user is a member already."""


class LastAdminError(ValueError):
    """The change would leave the organization without an admin."""


async def list_members(uow: UnitOfWork, org_id: UUID) -> list[MemberOut]:
    async with uow:
        return await uow.members.list(org_id)


async def add_member(
    uow: UnitOfWork,
    changed: MembershipChanged,
    org_id: UUID,
    actor: Principal,
    email: str,
    role: Role,
) -> MemberOut:
    async with uow:
        await uow.org_settings.lock(org_id)
        user = await uow.members.find_user(email)
        if user is None:
            raise UserNotFoundError(email)
        member = await uow.members.add(org_id, user, role)
        if member is None:
            raise AlreadyMemberError(email)
        await _audit(uow, org_id, actor, "member.added", user.user_id, {}, _facts(member))
        await uow.commit()
    changed()
    return member


async def change_role(
    uow: UnitOfWork,
    changed: MembershipChanged,
    org_id: UUID,
    actor: Principal,
    user_id: UUID,
    role: Role,
) -> MemberOut:
    async with uow:
        await uow.org_settings.lock(org_id)
        roles = await uow.members.roles(org_id)
        if user_id not in roles:
            raise MemberNotFoundError(str(user_id))
        if leaves_no_admin(roles, user_id, role):
            raise LastAdminError(str(user_id))
        member = await uow.members.set_role(org_id, user_id, role)
        if roles[user_id] != role:
            before = {"role": roles[user_id]}
            await _audit(uow, org_id, actor, "member.role_changed", user_id, before, {"role": role})
        await uow.commit()
    changed()
    return member


async def remove_member(
    uow: UnitOfWork, changed: MembershipChanged, org_id: UUID, actor: Principal, user_id: UUID
) -> None:
    async with uow:
        await uow.org_settings.lock(org_id)
        roles = await uow.members.roles(org_id)
        if user_id not in roles:
            raise MemberNotFoundError(str(user_id))
        if leaves_no_admin(roles, user_id, None):
            raise LastAdminError(str(user_id))
        removed = next(m for m in await uow.members.list(org_id) if m.user_id == user_id)
        await uow.members.remove(org_id, user_id)
        await _audit(uow, org_id, actor, "member.removed", user_id, _facts(removed), {})
        await uow.commit()
    changed()


def _facts(member: MemberOut) -> dict[str, str]:
    return {"email": member.email, "role": member.role}


async def _audit(
    uow: UnitOfWork,
    org_id: UUID,
    actor: Principal,
    action: str,
    user_id: UUID,
    before: dict[str, str],
    after: dict[str, str],
) -> None:
    record = AuditRecord(org_id, actor, action, MEMBER, str(user_id), before, after)
    await uow.audit.record(record)
