"""Notification channels through the API: a webhook's secret shown once and its URL stored
encrypted, a channel test sent by the notifier to a real receiver, every attempt listed with
a cursor, a disabled channel re-enabled; silences."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from cmis_dashboard_api.bootstrap import Services
from cmis_notifier.settings import NotifierSettings
from cmis_shared.db.models import NotificationChannel, OutboxMessage
from cmis_shared.events import NotificationChannelRestored, parse_event
from cmis_shared.settings import CmisSettings
from scripts.webhook_receiver import Receiver, serve, stop
from tests.integration.dashboard_api.conftest import Tenant, new_member
from tests.integration.notifier.harness import build
from tests.support.ports import free_port

pytestmark = pytest.mark.integration


async def test_webhook_channel_secret_once_test_send_and_deliveries(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, settings: CmisSettings
) -> None:
    receiver = Receiver()  # the secret comes from the API below
    port = free_port()
    server = await serve(receiver, port)
    notifier = build(NotifierSettings(**settings.model_dump(exclude={"service_name"})))
    base = f"/api/orgs/{tenant.org_id}/notification-channels"
    try:
        quiet = {"start": "22:00", "end": "07:00"}
        created = await client.post(base, headers=tenant.headers, json={
            "name": "ops", "kind": "webhook", "url": f"http://127.0.0.1:{port}/hook?token=abc",
            "routing": {"alert_types": ["budget"], "quiet_hours": quiet},
        })  # fmt: skip
        assert created.status_code == 201, created.text
        channel = created.json()
        secret = channel["signing_secret"]
        assert secret.startswith("whsec_")
        assert channel["target_hint"] == f"http://127.0.0.1:{port}"  # no path, no token
        assert channel["routing"]["quiet_hours"] == {"start": "22:00", "end": "07:00"}

        listed = await client.get(base, headers=tenant.headers)
        assert "signing_secret" not in listed.text and "token=abc" not in listed.text
        async with services.runtime.sessions() as session:
            stored = await session.scalar(select(NotificationChannel.target_encrypted))
        assert stored is not None and b"token=abc" not in stored and secret.encode() not in stored
        member = await new_member(services, tenant)
        assert (await client.get(base, headers=member.headers)).status_code == 403

        receiver.secret = secret
        for _ in range(3):
            queued = await client.post(f"{base}/{channel['id']}/test", headers=tenant.headers)
            assert queued.status_code == 202, queued.text
        await notifier.deliver_all()

        assert len(receiver.accepted) == 3 and receiver.rejected == 0
        sample = receiver.accepted[queued.json()["notification_id"]]
        assert sample["kind"] == "test" and sample["alerts"][0]["details"]["sample"] is True

        page = await client.get(
            f"{base}/{channel['id']}/deliveries", headers=tenant.headers, params={"limit": 2}
        )
        assert page.status_code == 200
        first = page.json()
        assert [a["status"] for a in first["attempts"]] == ["delivered", "delivered"]
        assert first["attempts"][0]["response_code"] == 200
        rest = await client.get(
            f"{base}/{channel['id']}/deliveries", headers=tenant.headers,
            params={"limit": 2, "cursor": first["next_cursor"]},
        )  # fmt: skip
        assert len(rest.json()["attempts"]) == 1 and rest.json()["next_cursor"] is None
        ids = {a["id"] for a in first["attempts"]} | {a["id"] for a in rest.json()["attempts"]}
        assert len(ids) == 3
    finally:
        await stop(server)
        await notifier.close()


async def test_channel_validation_disable_reenable_and_silences(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    base = f"/api/orgs/{tenant.org_id}/notification-channels"
    bad = await client.post(
        base, headers=tenant.headers, json={"name": "x", "kind": "email", "url": "http://a.example"}
    )
    assert bad.status_code == 422
    created = await client.post(
        base,
        headers=tenant.headers,
        json={"name": "mail", "kind": "email", "to": "ops@acme.example"},
    )
    channel = created.json()
    assert created.status_code == 201 and channel["signing_secret"] is None
    assert channel["target_hint"] == "ops@acme.example"

    async with services.runtime.sessions() as session, session.begin():
        row = await session.get(NotificationChannel, channel["id"])
        assert row is not None
        row.enabled, row.disabled_reason, row.consecutive_failures = False, "failing", 20
    refused = await client.post(f"{base}/{channel['id']}/test", headers=tenant.headers)
    assert refused.status_code == 409
    enabled = await client.patch(
        f"{base}/{channel['id']}", headers=tenant.headers, json={"enabled": True}
    )
    assert enabled.json()["enabled"] and enabled.json()["consecutive_failures"] == 0
    async with services.runtime.sessions() as session:
        staged = await session.scalars(
            select(OutboxMessage.payload).where(
                OutboxMessage.routing_key == "notification.channel_restored"
            )
        )
        (restored,) = [parse_event(payload) for payload in staged]
    assert isinstance(restored, NotificationChannelRestored)
    assert (restored.channel_id, restored.reason) == (uuid.UUID(channel["id"]), "enabled again")
    wrong = await client.patch(
        f"{base}/{channel['id']}", headers=tenant.headers, json={"url": "http://a.example"}
    )
    assert wrong.status_code == 409  # an email channel takes no url: the stored kind conflicts
    assert wrong.json()["error"]["code"] == "kind_conflict"

    silences = f"/api/orgs/{tenant.org_id}/notification-silences"
    made = await client.post(silences, headers=tenant.headers, json={
        "subject_id": channel["id"], "alert_type": "budget", "expires_at": "2099-01-01T00:00:00Z",
    })  # fmt: skip
    assert made.status_code == 201
    assert [
        s["id"] for s in (await client.get(silences, headers=tenant.headers)).json()["silences"]
    ] == [made.json()["id"]]
    assert (
        await client.delete(f"{silences}/{made.json()['id']}", headers=tenant.headers)
    ).status_code == 204
    assert (
        await client.delete(f"{base}/{channel['id']}", headers=tenant.headers)
    ).status_code == 204
    assert (await client.get(base, headers=tenant.headers)).json() == {"channels": []}
