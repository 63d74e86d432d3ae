"""How events change the materialized state and what the dashboard then shows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from cmis_dashboard_api.domain.apply import apply_event
from cmis_dashboard_api.domain.render import render_dashboard, seconds_until_stale
from cmis_dashboard_api.domain.state import KpiTarget, ScheduledItem
from cmis_shared.events import (
    AlertRaised,
    AlertResolved,
    ContentTotals,
    IntegrationConnected,
    IntegrationDisconnected,
    SyncFailed,
    SyncRequested,
    SyncStarted,
)
from tests.unit.dashboard_api.factories import ORG, T0, campaign, completed, post, state

pytestmark = pytest.mark.unit
SECTIONS = {
    "org_id",
    "org_name",
    "timezone",
    "currency",
    "exchange_rates",
    "overview",
    "kpis",
    "active_campaigns",
    "scheduled_content",
    "recent_posts",
    "connected_accounts",
    "alerts",
    "sync_status",
    "updated_at",
}


def _sync(cls: type, integration_id: uuid.UUID, at_offset: int, **kw: object) -> object:
    return cls(
        org_id=ORG,
        run_id=uuid.uuid4(),
        integration_id=integration_id,
        platform="google",
        data_type="metrics",
        trigger="manual",
        attempt=1,
        occurred_at=T0 + timedelta(seconds=at_offset),
        **kw,
    )


def test_empty_state_renders_every_section_with_zeros() -> None:
    view = render_dashboard(state(), T0)
    assert set(view) == SECTIONS
    assert view["sync_status"] == {
        "total": 0,
        "syncing": 0,
        "success": 0,
        "failed": 0,
        "pending": 0,
        "last_sync": None,
    }
    assert view["connected_accounts"] == {"total": 0, "by_platform": {}, "accounts": []}


def test_sync_completed_replaces_the_integrations_contribution() -> None:
    s, first, second = state(), uuid.uuid4(), uuid.uuid4()
    apply_event(s, completed(first, [campaign("100"), campaign("50", status="paused")]))
    apply_event(s, completed(second, [campaign("200")]))
    apply_event(s, completed(first, [campaign("300")], at=T0 + timedelta(minutes=5)))
    view = render_dashboard(s, T0)
    assert view["overview"]["advertising"]["total_spend"] == Decimal(500)
    assert [c["spend"] for c in view["active_campaigns"]] == [Decimal(300), Decimal(200)]
    assert view["sync_status"]["success"] == 2
    assert view["sync_status"]["last_sync"] == T0 + timedelta(minutes=5)


def test_late_or_repeated_events_change_nothing() -> None:
    s, integration = state(), uuid.uuid4()
    newer = completed(
        integration, [campaign("300")], at=T0 + timedelta(minutes=5), data_type="metrics"
    )
    assert apply_event(s, newer) == "figures"
    apply_event(s, completed(integration, [campaign("100")], at=T0))  # arrives late
    apply_event(s, newer)  # redelivered
    assert render_dashboard(s, T0)["overview"]["advertising"]["total_spend"] == Decimal(300)
    started = _sync(SyncStarted, integration, -10, started_at=T0)
    assert apply_event(s, started) is None  # older than the completion: ignored


def test_active_campaigns_are_the_top_five_by_spend() -> None:
    s = state()
    apply_event(s, completed(uuid.uuid4(), [campaign(str(n)) for n in range(1, 9)]))
    spends = [c["spend"] for c in render_dashboard(s, T0)["active_campaigns"]]
    assert spends == [Decimal(n) for n in (8, 7, 6, 5, 4)]


def test_sync_lifecycle_moves_the_status_counts() -> None:
    s, integration = state(), uuid.uuid4()
    apply_event(s, _sync(SyncRequested, integration, 1))
    assert render_dashboard(s, T0)["sync_status"]["pending"] == 1
    assert apply_event(s, _sync(SyncStarted, integration, 2, started_at=T0)) == "sync_status"
    assert render_dashboard(s, T0)["sync_status"]["syncing"] == 1
    apply_event(
        s,
        _sync(
            SyncFailed,
            integration,
            3,
            error_class="timeout",
            message="slow",
            retryable=True,
            will_retry=True,
        ),
    )
    assert render_dashboard(s, T0)["sync_status"]["failed"] == 1


def test_a_success_overtaken_by_the_next_request_still_counts_as_the_last_sync() -> None:
    """The next run's request (from the scheduler) can arrive before the worker's completion
    of the previous run: the lane stays pending, and its last success is still the newest."""
    s, integration = state(), uuid.uuid4()
    finished = T0 + timedelta(minutes=5)
    apply_event(s, _sync(SyncRequested, integration, 301))  # the next run, delivered first
    late = completed(integration, [campaign("300")], at=finished, data_type="metrics")
    apply_event(s, late)
    view = render_dashboard(s, T0)["sync_status"]
    assert (view["pending"], view["last_sync"]) == (1, finished)
    apply_event(s, completed(integration, [campaign("100")], at=T0, data_type="metrics"))
    assert render_dashboard(s, T0)["sync_status"]["last_sync"] == finished  # never backwards


def test_open_alerts_are_ordered_by_when_they_opened_not_by_their_last_event() -> None:
    """Severity first, then the newest alert first by its opening time, which every event
    of the alert carries and the table keeps: a later update of an older alert (or a silent
    last-seen move in the table) does not reorder them."""
    s, older, newer = state(), uuid.uuid4(), uuid.uuid4()

    def raised(alert_id: uuid.UUID, opened: int, occurred: int) -> AlertRaised:
        return AlertRaised(
            org_id=ORG,
            alert_id=alert_id,
            alert_type="budget",
            subject_type="campaign",
            subject_id=uuid.uuid4(),
            severity="warning",
            message="90% of budget",
            first_seen_at=T0 + timedelta(minutes=opened),
            occurred_at=T0 + timedelta(minutes=occurred),
        )

    apply_event(s, raised(older, opened=1, occurred=1))
    apply_event(s, raised(newer, opened=2, occurred=2))
    apply_event(s, raised(older, opened=1, occurred=3))  # one more occurrence of the older
    assert [a["id"] for a in render_dashboard(s, T0)["alerts"]] == [newer, older]


def test_alerts_open_and_resolve() -> None:
    s, alert_id, subject = state(), uuid.uuid4(), uuid.uuid4()
    common = {
        "org_id": ORG,
        "alert_id": alert_id,
        "alert_type": "budget",
        "subject_type": "campaign",
        "subject_id": subject,
        "severity": "warning",
        "message": "90% of budget",
    }
    apply_event(s, AlertRaised(**common, occurred_at=T0))
    [alert] = render_dashboard(s, T0)["alerts"]
    assert alert["campaign_id"] == subject and alert["type"] == "budget"
    apply_event(s, AlertResolved(**common, reason="spend fell", occurred_at=T0 + timedelta(1)))
    assert render_dashboard(s, T0)["alerts"] == []


def test_disconnected_integration_leaves_accounts_and_figures() -> None:
    s, integration = state(), uuid.uuid4()
    apply_event(
        s,
        IntegrationConnected(
            org_id=ORG,
            integration_id=integration,
            platform="google",
            account_id="1",
            account_name="Main",
            status="active",
            occurred_at=T0,
        ),
    )
    apply_event(s, completed(integration, [campaign("100")], at=T0 + timedelta(seconds=1)))
    view = render_dashboard(s, T0)
    assert view["connected_accounts"]["by_platform"] == {"google": 1}
    assert view["sync_status"]["total"] == 1
    apply_event(
        s,
        IntegrationDisconnected(
            org_id=ORG, integration_id=integration, platform="google", occurred_at=T0 + timedelta(1)
        ),
    )
    view = render_dashboard(s, T0)
    assert view["connected_accounts"]["total"] == 0
    assert view["overview"]["advertising"]["total_spend"] == 0
    assert view["sync_status"]["total"] == 0


def test_content_posts_and_kpis() -> None:
    s = state(kpis=[KpiTarget(name="ROI", metric="roi", target=Decimal(300))])
    posts = [post(T0 - timedelta(hours=n)) for n in range(12)]
    apply_event(
        s,
        completed(
            uuid.uuid4(),
            [campaign("100", value="350")],
            posts=posts,
            content=ContentTotals(posts_published=45, interactions=45, impressions=1000),
        ),
    )
    view = render_dashboard(s, T0)
    assert view["overview"]["content"] == {
        "posts_published": 45,
        "engagement_rate": Decimal("4.50"),
    }
    assert len(view["recent_posts"]) == 10
    assert view["recent_posts"][0]["published_at"] == T0
    assert view["recent_posts"][0]["content"].endswith("...")
    assert view["kpis"] == [
        {
            "name": "ROI",
            "metric": "roi",
            "target": Decimal(300),
            "actual": Decimal("250.00"),
            "status": "in_progress",
        }
    ]


def test_scheduled_content_is_the_next_ten_and_bounds_the_view_lifetime() -> None:
    items = [
        ScheduledItem(
            id=uuid.uuid4(),
            content="post",
            platforms=["meta"],
            scheduled_for=T0 + timedelta(minutes=n),
            status="scheduled",
        )
        for n in range(-2, 14)
    ]
    s = state(scheduled=items)
    upcoming = render_dashboard(s, T0)["scheduled_content"]
    assert [i["scheduled_for"] for i in upcoming] == [T0 + timedelta(minutes=n) for n in range(10)]
    assert seconds_until_stale(s, T0 + timedelta(seconds=30), 3600) == 31
    assert seconds_until_stale(state(), T0, 3600) == 3600
