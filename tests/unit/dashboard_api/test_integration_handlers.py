"""Integration use cases against in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from cmis_dashboard_api.handlers import integrations
from tests.unit.dashboard_api.fakes import FakeUnitOfWork

ORG = uuid4()
ACCOUNT = {"platform": "meta", "account_id": "a1", "account_name": "A"}
NOW = datetime(2024, 1, 2, tzinfo=UTC)


async def test_connect_update_disconnect_commit_each_change() -> None:
    uow = FakeUnitOfWork()
    row = await integrations.connect_integration(uow, ORG, ACCOUNT, {"access_token": "t"})
    assert await integrations.get_integration(uow, ORG, row.id) == row

    updated = await integrations.update_integration(uow, ORG, row.id, {"status": "paused"}, None)
    assert updated is not None and updated.status == "paused"
    assert await integrations.disconnect_integration(uow, ORG, row.id, NOW)

    assert uow.commits == 3
    assert await integrations.list_integrations(uow, ORG) == []
    assert await integrations.get_integration(uow, ORG, row.id) is None


async def test_another_orgs_integration_is_missing_and_nothing_commits() -> None:
    uow = FakeUnitOfWork()
    row = await integrations.connect_integration(uow, ORG, ACCOUNT, {})
    other = uuid4()

    assert await integrations.get_integration(uow, other, row.id) is None
    assert (
        await integrations.update_integration(uow, other, row.id, {"status": "paused"}, None)
        is None
    )
    assert not await integrations.disconnect_integration(uow, other, row.id, NOW)
    assert uow.commits == 1
