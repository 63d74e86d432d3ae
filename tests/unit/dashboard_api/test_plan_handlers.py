"""KPI and scheduled-content use cases against in-memory fakes: commit, then the view is told."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from cmis_dashboard_api.handlers import plans
from cmis_dashboard_api.ports import DuplicateNameError, Plans, UnitOfWork
from cmis_dashboard_api.schemas.plans import ContentOut, KpiOut
from tests.unit.dashboard_api.fakes import FakeUnitOfWork

ORG = uuid4()
KPI = {"name": "Spend", "metric": "total_spend", "target": Decimal(100), "higher_is_better": False}


def _kpis(uow: UnitOfWork) -> Plans[KpiOut]:
    return uow.kpis


def _content(uow: UnitOfWork) -> Plans[ContentOut]:
    return uow.content


class Told:
    def __init__(self) -> None:
        self.orgs: list[UUID] = []

    async def __call__(self, org_id: UUID) -> None:
        self.orgs.append(org_id)


async def test_add_commits_then_tells_the_view_and_returns_the_row() -> None:
    uow, told = FakeUnitOfWork(), Told()

    row = await plans.add_plan(uow, _kpis, told, ORG, KPI)

    assert row.name == "Spend" and uow.commits == 1
    assert told.orgs == [ORG]
    assert await plans.list_plans(uow, _kpis, ORG) == [row]
    assert await plans.list_plans(uow, _kpis, uuid4()) == []


async def test_a_duplicate_name_commits_nothing_and_tells_nobody() -> None:
    uow, told = FakeUnitOfWork(), Told()
    await plans.add_plan(uow, _kpis, told, ORG, KPI)

    with pytest.raises(DuplicateNameError):
        await plans.add_plan(uow, _kpis, told, ORG, KPI)

    assert uow.commits == 1 and told.orgs == [ORG]


async def test_change_and_remove_of_another_orgs_row_answer_missing() -> None:
    uow, told = FakeUnitOfWork(), Told()
    row = await plans.add_plan(uow, _kpis, told, ORG, KPI)

    assert await plans.change_plan(uow, _kpis, told, uuid4(), row.id, {"name": "x"}) is None
    assert not await plans.remove_plan(uow, _kpis, told, uuid4(), row.id)
    assert uow.commits == 1 and told.orgs == [ORG]


async def test_change_then_remove_content() -> None:
    uow, told = FakeUnitOfWork(), Told()
    when = datetime(2024, 2, 1, tzinfo=UTC)
    values = {"content": "hi", "platforms": ["meta"], "scheduled_for": when, "status": "scheduled"}
    row = await plans.add_plan(uow, _content, told, ORG, values)

    changed = await plans.change_plan(uow, _content, told, ORG, row.id, {"content": "hello"})
    assert changed is not None and changed.content == "hello"
    assert await plans.remove_plan(uow, _content, told, ORG, row.id)

    assert await plans.list_plans(uow, _content, ORG) == []
    assert told.orgs == [ORG, ORG, ORG]
