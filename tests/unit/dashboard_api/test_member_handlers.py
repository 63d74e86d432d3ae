"""Membership use cases against in-memory fakes: each change is one commit under the
organization's lock with its audit record, tells the auth cache after the commit, and a
refused change (unknown user, not a member, already one, last admin) commits nothing and
tells no one."""

from __future__ import annotations

from uuid import uuid4

import pytest

from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.handlers import members
from cmis_dashboard_api.ports import Principal, UserRef
from cmis_dashboard_api.schemas.members import MemberOut
from tests.unit.dashboard_api.fakes import FakeState, FakeUnitOfWork

pytestmark = pytest.mark.unit

ORG = uuid4()
ANA = UserRef(uuid4(), "ana@example.com", "Ana")
BEN = UserRef(uuid4(), "ben@example.com", "Ben")
ADMIN = Principal(ANA.user_id, ANA.email, frozenset({ORG}), frozenset({ORG}))


def member(user: UserRef, role: Role) -> MemberOut:
    return MemberOut(user_id=user.user_id, email=user.email, name=user.name, role=role)


class Told:
    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


def org_with(*rows: MemberOut) -> FakeUnitOfWork:
    return FakeUnitOfWork(
        FakeState(
            users={ANA.email: ANA, BEN.email: BEN},
            members={ORG: {row.user_id: row for row in rows}},
        )
    )


def audit(uow: FakeUnitOfWork) -> list[tuple[str, str | None, dict[str, str], dict[str, str]]]:
    return [
        (e.action, e.target_id, e.before, e.after) for org, e in uow.committed.audit if org == ORG
    ]


async def test_adding_a_user_commits_the_member_and_its_audit_record_then_tells() -> None:
    uow, told = org_with(member(ANA, Role.ADMIN)), Told()
    added = await members.add_member(uow, told, ORG, ADMIN, BEN.email, Role.MEMBER)

    assert added == member(BEN, Role.MEMBER)
    assert await members.list_members(uow, ORG) == [member(ANA, Role.ADMIN), added]
    assert audit(uow) == [
        ("member.added", str(BEN.user_id), {}, {"email": BEN.email, "role": "member"})
    ]
    assert uow.committed.locked == [ORG]
    assert (uow.commits, told.times) == (1, 1)


async def test_an_unknown_email_or_a_member_already_there_is_refused() -> None:
    uow, told = org_with(member(ANA, Role.ADMIN), member(BEN, Role.MEMBER)), Told()
    with pytest.raises(members.UserNotFoundError):
        await members.add_member(uow, told, ORG, ADMIN, "nobody@example.com", Role.MEMBER)
    with pytest.raises(members.AlreadyMemberError):
        await members.add_member(uow, told, ORG, ADMIN, BEN.email, Role.ADMIN)
    assert (uow.commits, told.times, audit(uow)) == (0, 0, [])


async def test_a_role_change_is_audited_with_before_and_after() -> None:
    uow, told = org_with(member(ANA, Role.ADMIN), member(BEN, Role.MEMBER)), Told()
    changed = await members.change_role(uow, told, ORG, ADMIN, BEN.user_id, Role.ADMIN)

    assert changed.role == Role.ADMIN
    assert audit(uow) == [
        ("member.role_changed", str(BEN.user_id), {"role": "member"}, {"role": "admin"})
    ]
    assert (uow.commits, told.times) == (1, 1)


async def test_setting_the_role_a_member_has_writes_no_audit_record() -> None:
    uow, told = org_with(member(ANA, Role.ADMIN), member(BEN, Role.MEMBER)), Told()
    await members.change_role(uow, told, ORG, ADMIN, BEN.user_id, Role.MEMBER)
    assert audit(uow) == []


async def test_the_last_admin_can_be_neither_demoted_nor_removed() -> None:
    uow, told = org_with(member(ANA, Role.ADMIN), member(BEN, Role.MEMBER)), Told()
    with pytest.raises(members.LastAdminError):
        await members.change_role(uow, told, ORG, ADMIN, ANA.user_id, Role.MEMBER)
    with pytest.raises(members.LastAdminError):
        await members.remove_member(uow, told, ORG, ADMIN, ANA.user_id)
    assert await members.list_members(uow, ORG) == [
        member(ANA, Role.ADMIN),
        member(BEN, Role.MEMBER),
    ]
    assert (uow.commits, told.times, audit(uow)) == (0, 0, [])


async def test_removing_a_member_keeps_what_they_were_in_the_audit_record() -> None:
    uow, told = org_with(member(ANA, Role.ADMIN), member(BEN, Role.ADMIN)), Told()
    await members.remove_member(uow, told, ORG, ADMIN, ANA.user_id)

    assert await members.list_members(uow, ORG) == [member(BEN, Role.ADMIN)]
    assert audit(uow) == [
        ("member.removed", str(ANA.user_id), {"email": ANA.email, "role": "admin"}, {})
    ]
    assert (uow.commits, told.times) == (1, 1)


async def test_someone_not_a_member_can_be_neither_changed_nor_removed() -> None:
    uow, told = org_with(member(ANA, Role.ADMIN)), Told()
    with pytest.raises(members.MemberNotFoundError):
        await members.change_role(uow, told, ORG, ADMIN, BEN.user_id, Role.ADMIN)
    with pytest.raises(members.MemberNotFoundError):
        await members.remove_member(uow, told, ORG, ADMIN, BEN.user_id)
    assert (uow.commits, told.times) == (0, 0)
