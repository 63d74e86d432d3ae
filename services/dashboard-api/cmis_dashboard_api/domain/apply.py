"""How each event changes the view state. Every change is guarded by the event time of what
it replaces, so a late or repeated event leaves the state as it is.

``apply_event`` mutates the state it is given (a fresh copy read for this event) and returns
which live-update channel the change belongs to, or ``None`` when nothing changed.
"""

from __future__ import annotations

from datetime import datetime

from cmis_dashboard_api.domain.state import (
    Account,
    AlertItem,
    CampaignFigures,
    ContentFigures,
    Contribution,
    DashboardState,
    DayMoney,
    PostItem,
    SyncLane,
    integration_key,
    lane_key,
)
from cmis_dashboard_api.domain.sync_status import FAILED, PENDING, SUCCESS, SYNCING, latest
from cmis_shared.events import (
    AlertRaised,
    AlertResolved,
    CampaignFact,
    Event,
    IntegrationDisconnected,
    IntegrationFacts,
    OrganizationSettingsChanged,
    PostFact,
    SyncCompleted,
    SyncFailed,
    SyncRequested,
    SyncStarted,
)

SYNC_STATUS, ALERTS, ACCOUNTS, FIGURES = "sync_status", "alerts", "accounts", "figures"
SETTINGS = "settings"
RECENT_POSTS_KEPT = 10


def _newer(event_time: datetime, known: datetime | None) -> bool:
    return known is None or event_time >= known


def apply_event(state: DashboardState, event: Event) -> str | None:
    if isinstance(event, SyncCompleted):
        _apply_lane(state, event, SUCCESS)
        _apply_sync_data(state, event)
        return FIGURES
    if isinstance(event, SyncStarted):
        return SYNC_STATUS if _apply_lane(state, event, SYNCING) else None
    if isinstance(event, SyncRequested):
        return SYNC_STATUS if _apply_lane(state, event, PENDING) else None
    if isinstance(event, SyncFailed):
        return SYNC_STATUS if _apply_lane(state, event, FAILED) else None
    if isinstance(event, AlertRaised | AlertResolved):
        return ALERTS if _apply_alert(state, event) else None
    if isinstance(event, IntegrationFacts | IntegrationDisconnected):
        return ACCOUNTS if _apply_integration(state, event) else None
    if isinstance(event, OrganizationSettingsChanged):
        return SETTINGS if _apply_settings(state, event) else None
    return None


def _apply_settings(state: DashboardState, event: OrganizationSettingsChanged) -> bool:
    if not _newer(event.occurred_at, state.settings_as_of):
        return False
    state.settings_as_of = event.occurred_at
    if (state.timezone, state.currency) == (event.timezone, event.currency):
        return False
    state.timezone, state.currency = event.timezone, event.currency
    return True


def _apply_lane(
    state: DashboardState,
    event: SyncRequested | SyncStarted | SyncCompleted | SyncFailed,
    status: str,
) -> bool:
    key = lane_key(event.integration_id, event.data_type)
    lane = state.sync_lanes.get(key)
    if lane is not None and not _newer(event.occurred_at, lane.as_of):
        # A newer event of the lane (the next run's request, published by another service)
        # overtook this one; its status stays, but a success it reports still happened: the
        # lane's last success is the newest one, whatever order the events arrive in.
        return _advance_last_success(lane, event)
    previous_success = lane.last_success_at if lane is not None else None
    lane = SyncLane(
        integration_id=event.integration_id,
        platform=event.platform,
        data_type=event.data_type,
        status=status,
        run_id=event.run_id,
        attempt=event.attempt,
        last_success_at=latest((event.finished_at, previous_success))
        if isinstance(event, SyncCompleted)
        else previous_success,
        as_of=event.occurred_at,
    )
    if isinstance(event, SyncFailed):
        lane.error_class = event.error_class
        lane.error_message = event.message
        lane.will_retry = event.will_retry
        lane.next_attempt_at = event.next_attempt_at
    state.sync_lanes[key] = lane
    return True


def _advance_last_success(
    lane: SyncLane, event: SyncRequested | SyncStarted | SyncCompleted | SyncFailed
) -> bool:
    if not isinstance(event, SyncCompleted):
        return False
    if lane.last_success_at is not None and event.finished_at <= lane.last_success_at:
        return False
    lane.last_success_at = event.finished_at
    return True


def _apply_sync_data(state: DashboardState, event: SyncCompleted) -> None:
    key = integration_key(event.integration_id)
    part = state.contributions.setdefault(key, Contribution(platform=event.platform))
    at = event.finished_at
    # The facts of a sync are the integration's full current set of what it synced.
    if (event.campaigns or event.data_type != "posts") and _newer(at, part.campaigns_as_of):
        part.campaigns = [_campaign(fact, event.platform) for fact in event.campaigns]
        part.campaigns_as_of = at
    if event.content_last_30_days is not None and _newer(at, part.content_as_of):
        part.content = ContentFigures(**event.content_last_30_days.model_dump())
        part.content_as_of = at
    if (event.recent_posts or event.data_type == "posts") and _newer(at, part.posts_as_of):
        posts = sorted(event.recent_posts, key=lambda post: post.published_at, reverse=True)
        part.recent_posts = [_post(fact, event.platform) for fact in posts[:RECENT_POSTS_KEPT]]
        part.posts_as_of = at


def _campaign(fact: CampaignFact, platform: str) -> CampaignFigures:
    totals = fact.last_30_days
    return CampaignFigures(
        id=fact.campaign_id,
        name=fact.name,
        platform=platform,
        status=fact.status,
        currency=fact.currency,
        budget_amount=fact.budget_amount,
        budget_period=fact.budget_period,
        spend_today=fact.spend_today,
        spend_lifetime=fact.spend_lifetime,
        spend=totals.spend,
        impressions=totals.impressions,
        clicks=totals.clicks,
        conversions=totals.conversions,
        conversion_value=totals.conversion_value,
        daily=[DayMoney(**day.model_dump()) for day in fact.daily],
    )


def _post(fact: PostFact, platform: str) -> PostItem:
    return PostItem(
        id=fact.post_id,
        platform=platform,
        text=fact.text,
        published_at=fact.published_at,
        likes=fact.likes,
        comments=fact.comments,
        shares=fact.shares,
        impressions=fact.impressions,
    )


def _apply_alert(state: DashboardState, event: AlertRaised | AlertResolved) -> bool:
    key = event.alert_id.hex
    known = state.alerts.get(key)
    if known is not None and not _newer(event.occurred_at, known.as_of):
        return False
    state.alerts[key] = AlertItem(
        id=event.alert_id,
        type=event.alert_type,
        severity=event.severity,
        message=event.message,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        open=isinstance(event, AlertRaised),
        first_seen_at=event.first_seen_at or (known.first_seen_at if known else None),
        as_of=event.occurred_at,
    )
    return True


def _apply_integration(
    state: DashboardState, event: IntegrationFacts | IntegrationDisconnected
) -> bool:
    key = integration_key(event.integration_id)
    known = state.accounts.get(key)
    if known is not None and not _newer(event.occurred_at, known.as_of):
        # Older news, but when the account was first connected never changes: keep it.
        if isinstance(event, IntegrationFacts) and known.connected_at is None:
            known.connected_at = event.connected_at
            return event.connected_at is not None
        return False
    if isinstance(event, IntegrationDisconnected):
        if known is None:
            known = Account(
                id=event.integration_id,
                platform=event.platform,
                account_id="",
                account_name="",
                status="disconnected",
            )
        state.accounts[key] = known.model_copy(
            update={"status": "disconnected", "as_of": event.occurred_at}
        )
        return True
    state.accounts[key] = Account(
        id=event.integration_id,
        platform=event.platform,
        account_id=event.account_id,
        account_name=event.account_name,
        status=event.status,
        status_reason=event.status_reason,
        currency=event.currency,
        token_expires_at=event.token_expires_at,
        connected_at=event.connected_at or (known.connected_at if known else None),
        as_of=event.occurred_at,
    )
    return True
