import uuid
from datetime import UTC, datetime

import orjson
import pytest

from cmis_shared.events import (
    EVENT_TYPES,
    EventParseError,
    SyncFailed,
    SyncRequested,
    parse_event,
)

pytestmark = pytest.mark.unit


def _requested(**changes: object) -> SyncRequested:
    fields: dict[str, object] = {
        "org_id": uuid.uuid4(),
        "run_id": uuid.uuid4(),
        "integration_id": uuid.uuid4(),
        "platform": "google",
        "data_type": "metrics",
        "trigger": "scheduled",
        "attempt": 1,
    }
    fields.update(changes)
    return SyncRequested.model_validate(fields)


def test_round_trip_keeps_every_field() -> None:
    event = _requested()
    assert parse_event(event.to_json()) == event


def test_every_event_type_is_registered_under_its_routing_key() -> None:
    assert set(EVENT_TYPES) == {
        "sync.requested", "sync.started", "sync.completed", "sync.failed",
        "alert.raised", "alert.resolved", "alerting.command",
        "integration.connected", "integration.updated", "integration.disconnected",
        "notification.channel_disabled", "notification.channel_restored",
        "backfill.progressed", "organization.settings_changed",
    }  # fmt: skip


def test_unknown_future_fields_are_tolerated() -> None:
    body = orjson.loads(_requested().to_json())
    body["added_in_v2"] = {"anything": 1}
    assert parse_event(orjson.dumps(body)).event_type == "sync.requested"


def test_missing_required_field_is_rejected_with_its_name() -> None:
    body = orjson.loads(_requested().to_json())
    del body["integration_id"]
    with pytest.raises(EventParseError, match="integration_id"):
        parse_event(orjson.dumps(body))


def test_wrong_type_is_rejected() -> None:
    body = orjson.loads(_requested().to_json())
    body["attempt"] = "third"
    with pytest.raises(EventParseError, match="attempt"):
        parse_event(orjson.dumps(body))


def test_unknown_event_type_and_garbage_are_rejected() -> None:
    with pytest.raises(EventParseError):
        parse_event(b'{"event_type": "sync.exploded"}')
    with pytest.raises(EventParseError):
        parse_event(b"\x00not json")


def test_naive_timestamps_are_rejected() -> None:
    body = orjson.loads(_requested().to_json())
    body["occurred_at"] = "2024-01-15T10:00:00"
    with pytest.raises(EventParseError, match="occurred_at"):
        parse_event(orjson.dumps(body))


def test_failed_event_carries_retry_plan() -> None:
    failed = SyncFailed(
        org_id=uuid.uuid4(), run_id=uuid.uuid4(), integration_id=uuid.uuid4(),
        platform="meta", data_type="all", trigger="scheduled", attempt=1,
        error_class="rate_limited", message="slow down", retryable=True, will_retry=True,
        next_attempt_at=datetime(2024, 1, 15, 10, 1, tzinfo=UTC),
    )  # fmt: skip
    assert parse_event(failed.to_json()) == failed
