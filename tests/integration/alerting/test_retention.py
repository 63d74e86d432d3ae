"""Alert history retention against the real database: old rows go in bounded batches,
recent ones and the alerts themselves stay; the delete walks the index on ``at``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import func, insert, select, text

from cmis_alerting.adapters.unit_of_work import SqlUnitOfWork
from cmis_alerting.bootstrap import AlertingService
from cmis_alerting.domain.commands import Tick
from cmis_alerting.handlers import HistoryRetention
from cmis_shared.db.models import Alert, AlertHistory

pytestmark = pytest.mark.integration


async def test_history_older_than_the_retention_is_deleted_in_batches(
    service: AlertingService,
) -> None:
    sessions = service.runtime.sessions
    now = datetime.now(UTC)
    alert_id = uuid.uuid4()
    old = [now - timedelta(days=400, hours=i) for i in range(5)]
    recent = [now - timedelta(days=364), now - timedelta(days=1)]
    async with sessions() as session, session.begin():
        await session.execute(insert(Alert).values(
            id=alert_id, org_id=uuid.uuid4(), alert_type="budget", subject_type="campaign",
            subject_id=uuid.uuid4(), severity="warning", status="open", message="m",
            occurrences=1, first_seen_at=old[-1], last_seen_at=now,
        ))  # fmt: skip
        await session.execute(
            insert(AlertHistory),
            [
                {"alert_id": alert_id, "action": "raised", "severity": "warning", "at": at}
                for at in [*old, *recent]
            ],
        )

    retention = HistoryRetention(
        partial(SqlUnitOfWork, sessions), timedelta(days=365), batch_size=2, max_batches=10
    )
    assert await retention(Tick(now)) == 5
    assert await retention(Tick(now)) == 0

    async with sessions() as session:
        kept = (await session.execute(select(AlertHistory.at).order_by(AlertHistory.at))).scalars()
        assert list(kept) == recent
        assert (await session.execute(select(func.count()).select_from(Alert))).scalar() == 1
        indexes = await session.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'alert_history'")
        )
        assert any("(at)" in definition for definition in indexes.scalars())
