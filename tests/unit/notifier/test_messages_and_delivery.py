"""The webhook body, its signature, the Slack and e-mail renderings, and the retry rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from cmis_notifier.domain.delivery import AttemptResult, DeliveryState, RetryPolicy, after_attempt
from cmis_notifier.domain.grouping import NotificationKind
from cmis_notifier.domain.messages import (
    SCHEMA_VERSION,
    alert_item,
    alerts_link,
    build_body,
    email_content,
    slack_message,
)
from cmis_notifier.domain.signing import signature_header, verify

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ORG = uuid.uuid4()


def _body(kind: NotificationKind = NotificationKind.FIRING) -> dict[str, object]:
    event = {
        "alert_id": uuid.uuid4(), "alert_type": "budget", "severity": "critical",
        "subject_type": "campaign", "subject_id": uuid.uuid4(),
        "message": "Campaign <Spring> spent 104 % of its daily budget", "details": {"pct": 104},
        "occurrences": 1, "occurred_at": NOW.isoformat(),
    }  # fmt: skip
    return build_body(
        notification_id=uuid.uuid4(), kind=kind, org_id=ORG, channel_id=uuid.uuid4(),
        created_at=NOW, alert_type="budget", alerts=[alert_item(event, "firing")],
        web_base_url="http://dash.example/",
    )  # fmt: skip


def test_the_body_carries_schema_version_idempotency_key_and_links() -> None:
    body = _body()
    assert body["schema"] == "cmis.notification" and body["version"] == SCHEMA_VERSION
    assert body["idempotency_key"] == body["notification_id"]
    assert body["title"] == "[CRITICAL] 1 budget alert"
    (item,) = body["alerts"]  # type: ignore[misc]
    assert body["url"] == f"http://dash.example/#/orgs/{ORG}/alerts"
    assert item["url"] == f"http://dash.example/#/orgs/{ORG}/alerts?alert={item['alert_id']}"


def test_a_system_alert_links_to_the_alerts_page_of_the_web_dashboard() -> None:
    assert alerts_link("http://web.example", None, "a1") == "http://web.example/#/alerts?alert=a1"
    assert alerts_link("http://web.example/", None) == "http://web.example/#/alerts"


def test_a_signature_verifies_only_with_its_secret_body_and_fresh_timestamp() -> None:
    raw = orjson.dumps(_body())
    ts = int(NOW.timestamp())
    header = signature_header("s3cret", ts, raw)
    assert verify("s3cret", header, raw, now=ts)
    assert not verify("other", header, raw, now=ts)
    assert not verify("s3cret", header, raw + b" ", now=ts)
    assert not verify("s3cret", header, raw, now=ts + 301)  # a replay, too late
    assert not verify("s3cret", "garbage", raw, now=ts)


def test_slack_and_email_say_severity_subject_and_link_back() -> None:
    body = _body()
    (item,) = body["alerts"]  # type: ignore[misc]
    text = slack_message(body)["text"]
    assert "CRITICAL Campaign <Spring> spent 104 %" in text and f"<{item['url']}|open>" in text
    mail = email_content(body)
    assert mail.subject == "[CMIS] [CRITICAL] 1 budget alert"
    assert item["url"] in mail.text and "Campaign &lt;Spring&gt;" in mail.html


def test_failures_retry_with_growing_pauses_then_give_up() -> None:
    policy = RetryPolicy(3, timedelta(seconds=5), timedelta(seconds=8), disable_after_failures=5)
    failed = AttemptResult(False, 10, 500, "http_500")
    first, second = after_attempt(failed, 1, policy, NOW), after_attempt(failed, 2, policy, NOW)
    assert (first.state, first.next_attempt_at) == (
        DeliveryState.PENDING,
        NOW + timedelta(seconds=5),
    )
    assert second.next_attempt_at == NOW + timedelta(seconds=8)  # capped
    assert after_attempt(failed, 3, policy, NOW).state is DeliveryState.FAILED
    assert (
        after_attempt(AttemptResult(True, 10, 200), 3, policy, NOW).state is DeliveryState.DELIVERED
    )
