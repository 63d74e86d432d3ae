"""Notification channel and silence use cases against in-memory fakes: another
organization's channel is missing, a target of the other kind is a conflict, a disabled
channel takes no test, and enabling or removing a channel the notifier disabled announces
``notification_channel.restored`` in the same commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from cmis_dashboard_api.handlers import notifications
from cmis_dashboard_api.schemas.notifications import (
    AttemptOut,
    CreateChannel,
    CreateSilence,
    UpdateChannel,
)
from cmis_shared.events import NotificationChannelRestored
from tests.unit.dashboard_api.fakes import FakeUnitOfWork

pytestmark = pytest.mark.unit

ORG, OTHER = uuid4(), uuid4()
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
HOOK = CreateChannel.model_validate(
    {"name": "Ops hook", "kind": "webhook", "url": "https://hooks.example/x"}
)
MAIL = CreateChannel.model_validate({"name": "Ops mail", "kind": "email", "to": "ops@example.com"})


async def channel(
    uow: FakeUnitOfWork, body: CreateChannel = HOOK, *, disabled: bool = False
) -> UUID:
    created = await notifications.create_channel(uow, ORG, body)
    if disabled:  # as the notifier leaves a channel that kept failing
        row = uow.committed.channels[created.id][1]
        uow.committed.channels[created.id] = (
            ORG, row.model_copy(update={"enabled": False, "disabled_reason": "10 failures"}),
        )  # fmt: skip
    return created.id


def restored(uow: FakeUnitOfWork) -> list[tuple[UUID, UUID, str]]:
    return [
        (e.org_id, e.channel_id, e.reason)
        for e in uow.committed.published
        if isinstance(e, NotificationChannelRestored)
    ]


async def test_a_webhook_channel_is_created_with_its_secret_shown_once() -> None:
    uow = FakeUnitOfWork()
    created = await notifications.create_channel(uow, ORG, HOOK)
    assert created.signing_secret == "whsec_fake"
    assert [c.id for c in await notifications.list_channels(uow, ORG)] == [created.id]
    assert await notifications.list_channels(uow, OTHER) == []
    assert uow.commits == 1


async def test_another_organizations_channel_is_missing_to_every_use_case() -> None:
    uow = FakeUnitOfWork()
    channel_id = await channel(uow)
    rename = UpdateChannel(name="Mine now")

    assert await notifications.update_channel(uow, OTHER, channel_id, rename) is None
    assert await notifications.delete_channel(uow, OTHER, channel_id) is False
    assert await notifications.test_channel(uow, OTHER, channel_id) is None
    assert await notifications.deliveries(uow, OTHER, channel_id, None, 10) is None
    assert uow.commits == 1 and uow.committed.tests_queued == []
    assert uow.committed.channels[channel_id][1].name == "Ops hook"


@pytest.mark.parametrize(
    ("body", "change", "message"),
    [
        (HOOK, {"to": "ops@example.com"}, "a webhook channel takes `url`"),
        (MAIL, {"url": "https://hooks.example/y"}, "a email channel takes `to`"),
    ],
)
async def test_a_target_of_the_other_kind_is_a_conflict_and_changes_nothing(
    body: CreateChannel, change: dict[str, str], message: str
) -> None:
    uow = FakeUnitOfWork()
    channel_id = await channel(uow, body)
    update = UpdateChannel.model_validate({"name": "Renamed", **change})
    with pytest.raises(notifications.ChannelKindConflict, match=message):
        await notifications.update_channel(uow, ORG, channel_id, update)
    assert uow.committed.channels[channel_id][1].name == body.name
    assert uow.commits == 1


async def test_enabling_a_disabled_channel_resets_it_and_announces_the_restoration() -> None:
    uow = FakeUnitOfWork()
    channel_id = await channel(uow, disabled=True)
    updated = await notifications.update_channel(uow, ORG, channel_id, UpdateChannel(enabled=True))
    assert updated is not None and updated.enabled and updated.disabled_reason is None
    assert restored(uow) == [(ORG, channel_id, "enabled again")]
    [event] = uow.committed.published
    assert isinstance(event, NotificationChannelRestored)
    assert (event.channel_name, event.channel_kind) == ("Ops hook", "webhook")


async def test_a_change_to_an_enabled_channel_announces_nothing() -> None:
    uow = FakeUnitOfWork()
    channel_id = await channel(uow)
    await notifications.update_channel(uow, ORG, channel_id, UpdateChannel(enabled=True))
    await notifications.update_channel(uow, ORG, channel_id, UpdateChannel(enabled=False))
    assert restored(uow) == []
    assert uow.committed.channels[channel_id][1].enabled is False


async def test_removing_a_disabled_channel_announces_it_and_an_enabled_one_does_not() -> None:
    uow = FakeUnitOfWork()
    failing = await channel(uow, disabled=True)
    healthy = await channel(uow, MAIL)

    assert await notifications.delete_channel(uow, ORG, failing)
    assert await notifications.delete_channel(uow, ORG, healthy)
    assert restored(uow) == [(ORG, failing, "channel removed")]
    assert uow.committed.channels == {}
    assert await notifications.delete_channel(uow, ORG, healthy) is False


async def test_a_test_is_queued_for_an_enabled_channel_and_refused_for_a_disabled_one() -> None:
    uow = FakeUnitOfWork()
    healthy = await channel(uow)
    failing = await channel(uow, MAIL, disabled=True)

    assert isinstance(await notifications.test_channel(uow, ORG, healthy), UUID)
    with pytest.raises(notifications.ChannelDisabled, match="10 failures"):
        await notifications.test_channel(uow, ORG, failing)
    assert uow.committed.tests_queued == [healthy]


def attempt(n: int) -> AttemptOut:
    return AttemptOut(
        id=n, notification_id=uuid4(), notification_kind="alert", attempt=1, status="failed",
        reason="http_500", response_code=500, latency_ms=80, error=None, at=NOW,
    )  # fmt: skip


async def test_deliveries_page_newest_first_with_a_cursor_while_pages_are_full() -> None:
    uow = FakeUnitOfWork()
    channel_id = await channel(uow)
    uow.committed.attempts[channel_id] = [attempt(n) for n in range(1, 6)]

    first = await notifications.deliveries(uow, ORG, channel_id, None, 3)
    assert first is not None and [a.id for a in first.attempts] == [5, 4, 3]
    assert first.next_cursor == "3"
    rest = await notifications.deliveries(uow, ORG, channel_id, 3, 3)
    assert rest is not None and [a.id for a in rest.attempts] == [2, 1]
    assert rest.next_cursor is None


async def test_silences_are_listed_while_active_and_removed_only_by_their_organization() -> None:
    uow = FakeUnitOfWork()
    soon = CreateSilence(subject_id=uuid4(), expires_at=NOW + timedelta(hours=1))
    later = CreateSilence(subject_id=uuid4(), expires_at=NOW + timedelta(days=1), comment="x")
    late = await notifications.create_silence(uow, ORG, later)
    early = await notifications.create_silence(uow, ORG, soon)

    assert await notifications.list_silences(uow, ORG, NOW) == [early, late]
    assert await notifications.list_silences(uow, ORG, NOW + timedelta(hours=2)) == [late]
    assert await notifications.delete_silence(uow, OTHER, late.id) is False
    assert await notifications.delete_silence(uow, ORG, late.id) is True
    assert await notifications.list_silences(uow, ORG, NOW) == [early]
    assert uow.commits == 4
