"""``organization.settings_changed`` over fakes: the organization's token alerts are
evaluated at once with its new thresholds (once per event); other organizations' are not
touched."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.tokens import TokenFacts
from cmis_alerting.handlers.org_settings import SettingsChanged
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertRaised, OrganizationSettingsChanged, Severity
from tests.unit.alerting.factories import NOW, ORG
from tests.unit.alerting.fakes import FakeStore

pytestmark = pytest.mark.unit
FORTNIGHT = {"alerts": {"token_warning_days": 14}}


async def test_a_longer_warning_period_raises_the_organizations_token_alerts_at_once() -> None:
    store = FakeStore()
    mine = TokenFacts(ORG, uuid.uuid4(), "meta", NOW + timedelta(days=10), org_settings=FORTNIGHT)
    # Another organization with the same settings stored but no event about it.
    theirs = replace(mine, org_id=uuid.uuid4(), integration_id=uuid.uuid4())
    store.state.integrations.extend([mine, theirs])
    handler = SettingsChanged(store.uow, Thresholds(), ManualClock(NOW))
    event = OrganizationSettingsChanged(org_id=ORG, changed=["alerts"], timezone="UTC")

    await handler(event)
    await handler(event)  # redelivered: no second effect

    [raised] = store.events()
    assert isinstance(raised, AlertRaised)
    assert raised.subject_id == mine.integration_id
    assert raised.severity is Severity.WARNING
    assert raised.correlation_id == event.correlation_id


async def test_a_shorter_warning_period_resolves_an_open_token_alert() -> None:
    store = FakeStore()
    facts = TokenFacts(ORG, uuid.uuid4(), "meta", NOW + timedelta(days=10), org_settings=FORTNIGHT)
    store.state.integrations.append(facts)
    handler = SettingsChanged(store.uow, Thresholds(), ManualClock(NOW))
    await handler(OrganizationSettingsChanged(org_id=ORG, changed=["alerts"], timezone="UTC"))
    store.state.integrations[0] = replace(facts, org_settings={})  # back to the 7-day default

    await handler(OrganizationSettingsChanged(org_id=ORG, changed=["alerts"], timezone="UTC"))

    assert [event.event_type for event in store.events()] == ["alert.raised", "alert.resolved"]
    assert store.open_alerts() == []
