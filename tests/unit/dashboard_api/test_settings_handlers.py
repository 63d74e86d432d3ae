"""Organization settings use cases against in-memory fakes: a change is one commit with its
audit record and ``organization.settings_changed``; a patch that changes nothing writes and
announces nothing; the manual-trigger limit is the organization's own or none."""

from __future__ import annotations

from uuid import uuid4

import pytest

from cmis_dashboard_api.domain.org_settings import OrgSettings, TriggerLimit
from cmis_dashboard_api.handlers import settings
from cmis_dashboard_api.ports import Principal
from cmis_shared.events import OrganizationSettingsChanged
from tests.unit.dashboard_api.fakes import FakeState, FakeUnitOfWork

pytestmark = pytest.mark.unit

ORG = uuid4()
ADMIN = Principal(uuid4(), "admin@example.com", frozenset({ORG}), frozenset({ORG}))
TRIGGERS = TriggerLimit(30, 60)


def org(stored: OrgSettings, currency: str | None = "EUR") -> FakeUnitOfWork:
    currencies = {ORG: currency} if currency else {}
    return FakeUnitOfWork(FakeState(settings={ORG: stored}, currencies=currencies))


async def test_reading_shows_the_stored_values_and_the_first_accounts_currency() -> None:
    uow = org(OrgSettings("Europe/Berlin", None, {"alerts": {"token_warning_days": 14}}))
    shown = await settings.read_settings(uow, ORG, TRIGGERS)

    assert shown["timezone"] == "Europe/Berlin"
    assert shown["currency"] == "EUR"
    assert shown["alerts"]["token_warning_days"] == 14
    assert shown["manual_triggers"] == {"limit": 30, "window_seconds": 60}
    assert shown["overridden"] == ["timezone", "alerts.token_warning_days"]
    assert uow.commits == 0


async def test_a_change_saves_audits_and_announces_in_one_commit() -> None:
    uow = org(OrgSettings("UTC", None, {}))
    patch = {"timezone": "Asia/Tokyo", "alerts": {"budget_warning_pct": 70}}
    shown = await settings.change_settings(uow, ORG, ADMIN, patch, TRIGGERS)

    assert shown["timezone"] == "Asia/Tokyo" and shown["alerts"]["budget_warning_pct"] == 70
    stored = uow.committed.settings[ORG]
    assert stored == OrgSettings("Asia/Tokyo", None, {"alerts": {"budget_warning_pct": 70}})
    [(org_id, entry)] = uow.committed.audit
    assert (org_id, entry.action, entry.target_type, entry.target_id) == (
        ORG, "settings.changed", "organization", str(ORG),
    )  # fmt: skip
    assert entry.before == {"timezone": "UTC", "alerts.budget_warning_pct": None}
    assert entry.after == {"timezone": "Asia/Tokyo", "alerts.budget_warning_pct": 70}
    [event] = uow.committed.published
    assert isinstance(event, OrganizationSettingsChanged)
    assert (event.org_id, event.changed, event.timezone) == (
        ORG,
        ["alerts", "timezone"],
        "Asia/Tokyo",
    )
    assert event.changed_by == ADMIN.user_id
    assert (uow.commits, uow.committed.locked) == (1, [ORG])


async def test_a_patch_that_changes_nothing_writes_and_announces_nothing() -> None:
    before = OrgSettings("Asia/Tokyo", "JPY", {"alerts": {"budget_warning_pct": 70}})
    uow = org(before)
    patch = {"timezone": "Asia/Tokyo", "alerts": {"budget_warning_pct": 70}}
    shown = await settings.change_settings(uow, ORG, ADMIN, patch, TRIGGERS)

    assert shown["currency"] == "JPY"
    assert uow.committed.settings[ORG] == before
    assert (uow.committed.audit, uow.committed.published) == ([], [])


async def test_the_manual_trigger_limit_is_the_organizations_own_or_none() -> None:
    assert (
        await settings.manual_trigger_limit(org(OrgSettings("UTC", None, {})), ORG, TRIGGERS)
        is None
    )
    own = org(OrgSettings("UTC", None, {"manual_triggers": {"limit": 5}}))
    assert await settings.manual_trigger_limit(own, ORG, TRIGGERS) == TriggerLimit(5, 60)
