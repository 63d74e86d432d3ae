"""Pure rules of sign-in and live updates: the CORS allow-list, Argon2 passwords, sign-in's
request samples, the live event schema that the OpenAPI text documents, and how a stream
admits events (each once, in order; a stalled one catches up from the buffer)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from cmis_dashboard_api.adapters.live import CATCH_UP, LiveHub, LiveMessage
from cmis_dashboard_api.api.live import _Resume
from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.domain.live_events import EVENT_SHAPES
from cmis_dashboard_api.domain.live_messages import live_message
from cmis_dashboard_api.domain.origins import InvalidOriginError, parse_origins
from cmis_dashboard_api.domain.passwords import Passwords, WeakPasswordError
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.events import AlertRaised, IntegrationConnected, SyncFailed, SyncStarted


def test_origins_are_exact_and_deduplicated() -> None:
    assert parse_origins(
        " https://App.example.com ,http://localhost:5173,,https://app.example.com"
    ) == (
        "https://app.example.com",
        "http://localhost:5173",
    )
    assert parse_origins("") == () and parse_origins(None) == ()


@pytest.mark.parametrize(
    "origin", ["*", "https://*.example.com", "https://app.example.com/", "app.example.com",
               "https://app.example.com/path", "ftp://app.example.com", "null"],
)  # fmt: skip
def test_wildcards_paths_and_other_schemes_are_refused(origin: str) -> None:
    with pytest.raises(InvalidOriginError):
        parse_origins(origin)


def test_settings_read_cors_origins_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMIS_CORS_ORIGINS", "https://a.example,https://b.example:8443")
    settings = DashboardSettings(environment="test")
    assert settings.cors_origins == ("https://a.example", "https://b.example:8443")
    assert settings.protections()["cors_origins"] == "https://a.example,https://b.example:8443"
    monkeypatch.setenv("CMIS_CORS_ORIGINS", "*")
    with pytest.raises(ValidationError):
        DashboardSettings(environment="test")
    monkeypatch.delenv("CMIS_CORS_ORIGINS")
    assert DashboardSettings(environment="test").protections()["cors_origins"] == "none"


def test_passwords_verify_only_their_own_hash() -> None:
    passwords = Passwords()
    encoded = passwords.hash("correct horse battery")
    assert encoded.startswith("$argon2id$") and "correct" not in encoded
    assert passwords.verify(encoded, "correct horse battery")
    assert not passwords.verify(encoded, "correct horse batterY")
    assert not passwords.verify(None, "correct horse battery")  # unknown user: dummy work
    assert not passwords.verify("not-a-hash", "correct horse battery")
    assert not passwords.needs_rehash(encoded)


@pytest.mark.parametrize("password", ["short", " leading space x", "x" * 1025, "nul\x00inside!!"])
def test_weak_new_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPasswordError):
        Passwords().hash(password)


def _samples() -> list[tuple[str, dict[str, object]]]:
    org, integration, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    sync = {
        "org_id": org,
        "run_id": uuid.uuid4(),
        "integration_id": integration,
        "platform": "google",
        "data_type": "metrics",
        "trigger": "manual",
        "attempt": 1,
    }
    events = [
        (SyncStarted(**sync, started_at=now), "sync_status"),
        (
            SyncFailed(
                **sync,
                error_class="rate_limited",
                message="x",
                retryable=True,
                will_retry=True,
                next_attempt_at=now,
            ),
            "sync_status",
        ),
        (
            AlertRaised(
                org_id=org,
                alert_id=uuid.uuid4(),
                alert_type="sync_failure",
                severity="warning",
                message="m",
                subject_type="integration",
                subject_id=integration,
            ),
            "alerts",
        ),
        (
            IntegrationConnected(
                org_id=org,
                integration_id=integration,
                platform="google",
                account_id="1",
                account_name="a",
                status="active",
            ),
            "connected_accounts",
        ),
    ]
    return [live_message(event, section) for event, section in events] + [
        ("dashboard", {"section": "plans"})
    ]


def test_every_live_message_matches_its_documented_shape() -> None:
    kinds = set()
    for kind, data in _samples():
        shape = EVENT_SHAPES[kind]
        keys = {"type", *data}
        assert set(shape.fields) <= keys, (kind, set(shape.fields) - keys)
        assert keys <= {*shape.fields, *shape.optional}, (kind, keys - set(shape.fields))
        kinds.add(kind)
    assert kinds == {"sync_status", "alert", "dashboard"}


def test_request_samples_of_sign_in_carry_no_token_and_every_other_does() -> None:
    document = create_app(DashboardSettings(environment="test")).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            sources = [sample["source"] for sample in operation["x-codeSamples"]]
            needs_token = path != "/api/auth/login"
            assert all(("Authorization" in source) == needs_token for source in sources), (
                method,
                path,
            )
    login = document["paths"]["/api/auth/login"]["post"]["x-codeSamples"]
    assert all("correct horse battery staple" in sample["source"] for sample in login)


def test_a_stream_admits_each_event_once_in_order() -> None:
    resume = _Resume(None, uuid.uuid4(), "1705329000000-3")  # type: ignore[arg-type]
    data = b'{"type":"dashboard","section":"figures"}'
    assert resume.admit(("1705329000000-2", data)) is None  # replayed already
    event = resume.admit(("1705329000000-10", data))  # ids compare as numbers, not text
    assert event is not None and event.id == "1705329000000-10" and event.event == "dashboard"
    assert resume.admit(("1705329000000-10", data)) is None  # its live copy after a replay
    assert resume.last_sent == "1705329000000-10"


def test_a_stalled_streams_full_queue_is_told_to_catch_up_instead() -> None:
    queue: asyncio.Queue[LiveMessage] = asyncio.Queue(2)
    for n in range(2):
        LiveHub.offer(queue, (f"1-{n}", b"{}"), "org")
    LiveHub.offer(queue, ("1-2", b"{}"), "org")
    assert queue.qsize() == 1 and queue.get_nowait() == CATCH_UP
