"""Reading the audit log a page at a time against an in-memory log: newest first, a cursor
only when more entries wait, and a cursor that is not the organization's refused."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from cmis_dashboard_api.handlers.audit import audit_page
from cmis_dashboard_api.ports import AuditRecord, CursorNotFoundError, Principal
from tests.unit.dashboard_api.fakes import FakeAuditLog, FakeState, FakeUnitOfWork

pytestmark = pytest.mark.unit

ORG, OTHER = uuid4(), uuid4()
ADMIN = Principal(uuid4(), "admin@example.com", frozenset({ORG}), frozenset({ORG}))


async def log_with(org_id: UUID, actions: list[str]) -> FakeUnitOfWork:
    state = FakeState()
    log = FakeAuditLog(state)
    for action in actions:
        await log.record(AuditRecord(org_id, ADMIN, action, "organization", None, {}, {}))
    return FakeUnitOfWork(state)


async def test_pages_go_newest_first_and_the_last_page_has_no_cursor() -> None:
    uow = await log_with(ORG, ["a", "b", "c", "d", "e"])

    first = await audit_page(uow, ORG, None, 2)
    assert [e.action for e in first.entries] == ["e", "d"]
    assert first.next_cursor == str(first.entries[-1].id)

    second = await audit_page(uow, ORG, first.entries[-1].id, 2)
    assert [e.action for e in second.entries] == ["c", "b"]
    last = await audit_page(uow, ORG, second.entries[-1].id, 2)
    assert [e.action for e in last.entries] == ["a"]
    assert last.next_cursor is None


async def test_a_page_exactly_full_with_nothing_after_it_has_no_cursor() -> None:
    uow = await log_with(ORG, ["a", "b"])
    page = await audit_page(uow, ORG, None, 2)
    assert [e.action for e in page.entries] == ["b", "a"]
    assert page.next_cursor is None


async def test_another_organizations_entries_are_neither_shown_nor_a_cursor() -> None:
    uow = await log_with(OTHER, ["theirs"])
    assert (await audit_page(uow, ORG, None, 10)).entries == []
    theirs = (await audit_page(uow, OTHER, None, 10)).entries[0]
    with pytest.raises(CursorNotFoundError):
        await audit_page(uow, ORG, theirs.id, 10)
