"""The token-expiry timer against the real database: alerts raised, escalated and resolved
from the integrations table with no event arriving, at a clock the test controls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from cmis_alerting.bootstrap import AlertingService
from cmis_alerting.domain.commands import Tick
from cmis_shared.clock import ManualClock
from cmis_shared.db.models import Integration
from cmis_shared.events import AlertRaised, AlertResolved
from tests.integration.alerting.harness import alerts_of, capture_alerts, history_of
from tests.integration.alerting.seed import add_integration, add_org

pytestmark = pytest.mark.integration


async def test_timer_raises_escalates_and_resolves_without_events(
    service: AlertingService,
) -> None:
    sessions = service.runtime.sessions
    now = datetime.now(UTC).replace(microsecond=0)
    clock = ManualClock(now)
    check = service.token_check
    org = await add_org(sessions)
    custom_org = await add_org(sessions, {"alerts": {"token_warning_days": 14}})
    in_3_days = await add_integration(sessions, org, now + timedelta(days=3))
    in_2_hours = await add_integration(sessions, org, now + timedelta(hours=2))
    await add_integration(sessions, org, now + timedelta(days=10))  # beyond 7 days
    await add_integration(sessions, org, now + timedelta(hours=1), status="paused")
    await add_integration(sessions, org, None)  # never expires
    custom = await add_integration(sessions, custom_org, now + timedelta(days=10))

    exchange = service.runtime.topology.exchange.name
    async with capture_alerts(service.settings, exchange, {org, custom_org}) as capture:
        await check(Tick(clock()))
        raised = await capture.wait_for(3)
        assert {(e.subject_id, str(e.severity)) for e in raised} == {
            (in_3_days, "warning"), (in_2_hours, "critical"), (custom, "warning"),
        }  # fmt: skip

        clock.set(now + timedelta(days=2, seconds=1))  # in_3_days is now within 24 h
        await check(Tick(clock()))
        escalated = (await capture.wait_for(4))[3]
        assert isinstance(escalated, AlertRaised) and escalated.escalated
        assert (escalated.subject_id, escalated.severity) == (in_3_days, "critical")

        async with sessions() as session, session.begin():  # the sync-worker refreshed it
            await session.execute(
                update(Integration)
                .where(Integration.id == in_3_days)
                .values(token_expires_at=now + timedelta(days=90))
            )
        clock.advance(timedelta(minutes=5))
        await check(Tick(clock()))
        resolved = (await capture.wait_for(5))[4]
        assert isinstance(resolved, AlertResolved) and resolved.subject_id == in_3_days
        touched = {a.subject_id: a for a in await alerts_of(service, org)}[in_2_hours]
        assert (touched.status, touched.last_seen_at) == ("open", clock())  # every check

        async with sessions() as session, session.begin():  # dashboard-api disconnected it
            await session.execute(
                update(Integration)
                .where(Integration.id == in_2_hours)
                .values(status="disconnected")
            )
        clock.advance(timedelta(minutes=5))
        await check(Tick(clock()))
        gone = (await capture.wait_for(6))[5]
        assert isinstance(gone, AlertResolved) and gone.subject_id == in_2_hours
        assert gone.reason == "integration disconnected"

    alerts = {a.subject_id: a for a in await alerts_of(service, org)}
    assert set(alerts) == {in_3_days, in_2_hours}
    assert {a.status for a in alerts.values()} == {"resolved"}
    assert await history_of(service, alerts[in_3_days].id) == [
        ("raised", None), ("escalated", None), ("resolved", None),
    ]  # fmt: skip
