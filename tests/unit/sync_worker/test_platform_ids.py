"""Platform ids are checked against their documented shapes before any request is made."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cmis_shared.events import DataType, ErrorClass, Platform, SyncFailed
from cmis_sync_worker.domain.platform_ids import invalid_id_reason
from tests.unit.sync_worker.test_handler import World

pytestmark = pytest.mark.unit

FORGED = "123/../../admin?x=1"

VALID = [
    (Platform.GOOGLE, "1234567890", {}),
    (Platform.GOOGLE, "123-456-7890", {}),
    (Platform.META, "100000000001", {"page_id": "4242", "ig_user_id": "17841400000000001"}),
    (Platform.META, "act_100000000001", {}),
    (Platform.TIKTOK, "7000000000000000001", {}),
    (Platform.LINKEDIN, "500000001", {"organization_id": "2414183"}),
    (Platform.LINKEDIN, "500000001", {"organization_id": "urn:li:organization:2414183"}),
    (Platform.TWITTER, "18ce54d4x5t", {"user_id": "783214"}),
    (Platform.META, "1", {"unrelated": "never put into a URL"}),
]

INVALID = [
    (Platform.GOOGLE, "12345", {}),
    (Platform.GOOGLE, FORGED, {}),
    (Platform.META, "act_1/../../me", {}),
    (Platform.META, "1", {"page_id": "4242/feed?access_token=x"}),
    (Platform.META, "1", {"ig_user_id": "1#x"}),
    (Platform.TIKTOK, "7000000000000000001&advertiser_id=2", {}),
    (Platform.LINKEDIN, "urn:li:sponsoredAccount:1", {}),
    (Platform.LINKEDIN, "1", {"organization_id": "2414183)&q=x"}),
    (Platform.TWITTER, "18CE5/../x", {}),
    (Platform.TWITTER, "18ce5", {"user_id": "1/../../admin"}),
    (Platform.TIKTOK, "", {}),
    (Platform.TIKTOK, "1\n", {}),
]


@pytest.mark.parametrize(("platform", "account_id", "extra"), VALID)
def test_documented_ids_pass(platform: Platform, account_id: str, extra: dict[str, str]) -> None:
    assert invalid_id_reason(platform, account_id, extra) is None


@pytest.mark.parametrize(("platform", "account_id", "extra"), INVALID)
def test_forged_ids_are_refused(platform: Platform, account_id: str, extra: dict[str, str]) -> None:
    reason = invalid_id_reason(platform, account_id, extra)
    assert reason is not None
    assert account_id not in reason or not account_id  # the reason never echoes the value


async def test_a_forged_account_id_fails_the_sync_as_config_error_without_a_call() -> None:
    world = World()
    record = world.integration()
    world.store.state.integrations[record.id] = replace(record, account_id=FORGED)
    await world.handler().handle(world.request(record, data_type=DataType.ALL))
    outcome = world.outcome()
    assert isinstance(outcome, SyncFailed)
    assert outcome.error_class is ErrorClass.CONFIG_ERROR
    assert outcome.will_retry is False
    assert world.connector.calls == []
