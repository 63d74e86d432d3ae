"""The API-sunset rule on sync outcomes, deterministic with the clock: nothing 61 days ahead,
a warning from 60 days, critical from 14 days and after the date, each raised once; resolved
when the syncs speak a version with no end of life near; silent for an older worker's event."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cmis_alerting.domain.api_sunset import api_sunset_key, api_sunset_observation
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers import EventHandlers
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertRaised, AlertResolved, AlertType, Severity
from tests.unit.alerting.factories import INTEGRATION, NOW, ORG, sync_completed
from tests.unit.alerting.fakes import FakeStore

pytestmark = pytest.mark.unit

SUNSET = date(2026, 5, 1)  # NOW is 2026-03-01 12:00 UTC: 60.5 days before it
DAY = timedelta(days=1)


def observe(now: datetime, version: str = "v21", sunset: date | None = SUNSET) -> object:
    event = sync_completed(now, api_version=version, api_sunset_on=sunset)
    return api_sunset_observation(event, Thresholds(), now)


def severity_at(now: datetime) -> Severity | None:
    observation = observe(now)
    return observation.severity  # type: ignore[attr-defined,no-any-return]


def test_thresholds_by_the_clock() -> None:
    assert severity_at(NOW) is None  # 60.5 days ahead
    assert severity_at(NOW + timedelta(hours=12)) is Severity.WARNING  # exactly 60 days
    assert severity_at(NOW + 46 * DAY) is Severity.WARNING  # 14.5 days
    assert severity_at(NOW + 46 * DAY + timedelta(hours=12)) is Severity.CRITICAL  # 14 days
    assert severity_at(NOW + 70 * DAY) is Severity.CRITICAL  # retired 9.5 days ago


def test_the_alert_names_the_version_and_the_date_and_is_per_integration() -> None:
    observation = observe(NOW + 10 * DAY)
    assert observation.key == api_sunset_key(ORG, INTEGRATION)  # type: ignore[attr-defined]
    assert observation.key.alert_type is AlertType.API_SUNSET  # type: ignore[attr-defined]
    assert "v21" in observation.message and "2026-05-01" in observation.message  # type: ignore[attr-defined]
    assert observation.details == {  # type: ignore[attr-defined]
        "platform": "google", "api_version": "v21", "api_sunset_on": "2026-05-01",
    }  # fmt: skip


def test_no_date_clears_and_an_older_worker_says_nothing() -> None:
    assert observe(NOW + 50 * DAY, sunset=None).severity is None  # type: ignore[attr-defined]
    assert api_sunset_observation(sync_completed(NOW), Thresholds(), NOW) is None


def test_thresholds_are_settings() -> None:
    short = Thresholds(api_sunset_warning=10 * DAY, api_sunset_critical=2 * DAY)
    event = sync_completed(NOW, api_version="v21", api_sunset_on=SUNSET)
    assert api_sunset_observation(event, short, NOW + 50 * DAY).severity is None  # type: ignore[union-attr]


async def test_warning_then_critical_once_each_then_resolved_by_a_new_version() -> None:
    store, clock = FakeStore(), ManualClock(NOW)
    handlers = EventHandlers(store.uow, Thresholds(), clock)

    async def sync(days: float, version: str = "v21", sunset: date | None = SUNSET) -> None:
        clock.set(NOW + days * DAY)
        await handlers.sync_completed(
            sync_completed(clock(), api_version=version, api_sunset_on=sunset)
        )

    await sync(0)  # 60.5 days ahead: nothing
    await sync(1)  # warning
    await sync(2)  # the same warning: no second announcement
    await sync(47)  # critical (escalated)
    await sync(48)
    await sync(80)  # after the date: still the one critical alert
    await sync(81, version="v23", sunset=date(2027, 2, 1))  # the setting moved on

    events = [e for e in store.events() if e.alert_type == AlertType.API_SUNSET]  # type: ignore[attr-defined]
    assert [(type(e).__name__, e.severity) for e in events] == [  # type: ignore[attr-defined]
        ("AlertRaised", Severity.WARNING),
        ("AlertRaised", Severity.CRITICAL),
        ("AlertResolved", Severity.CRITICAL),
    ]
    assert isinstance(events[0], AlertRaised) and isinstance(events[-1], AlertResolved)
    assert not [a for a in store.open_alerts() if a.key.alert_type == AlertType.API_SUNSET]
