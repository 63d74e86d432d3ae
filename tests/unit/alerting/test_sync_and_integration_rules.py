from datetime import timedelta

import pytest

from cmis_alerting.domain.integration_health import (
    disconnected_observations,
    integration_observations,
)
from cmis_alerting.domain.observations import AlertKey
from cmis_alerting.domain.sync_outcomes import completed_observations, failed_observations
from cmis_alerting.domain.thresholds import Thresholds
from cmis_shared.events import AlertType, Severity
from tests.unit.alerting.factories import (
    INTEGRATION,
    NOW,
    ORG,
    campaign,
    integration_updated,
    sync_completed,
    sync_failed,
)

pytestmark = pytest.mark.unit

DEFAULTS = Thresholds()


def test_failure_that_will_be_retried_is_not_an_alert() -> None:
    assert failed_observations(sync_failed(will_retry=True)) == []


def test_final_failure_is_a_critical_occurrence_with_the_last_error() -> None:
    [observation] = failed_observations(sync_failed(message="HTTP 503 from Graph API"))
    assert observation.key == AlertKey(ORG, AlertType.SYNC_FAILURE, "integration", INTEGRATION)
    assert observation.severity is Severity.CRITICAL
    assert observation.repeats
    assert observation.message == "Sync of the meta integration failed: platform_error"
    assert observation.details["last_error"] == "HTTP 503 from Graph API"
    assert observation.details["last_error_class"] == "platform_error"


def test_long_error_messages_are_cut() -> None:
    [observation] = failed_observations(sync_failed(message="x" * 5000))
    assert len(observation.details["last_error"]) == 500


def test_completed_sync_clears_failures_and_reports_budgets_and_token() -> None:
    summer = campaign("100", lifetime="95")
    event = sync_completed(campaigns=[summer], token_expires_at=NOW + timedelta(hours=3))
    by_type = {o.key.alert_type: o for o in completed_observations(event, DEFAULTS, NOW)}
    assert by_type[AlertType.SYNC_FAILURE].is_clear
    assert by_type[AlertType.BUDGET].severity is Severity.WARNING
    assert by_type[AlertType.BUDGET].key.subject_id == summer.campaign_id
    assert by_type[AlertType.TOKEN_EXPIRY].severity is Severity.CRITICAL


def test_completed_sync_without_token_expiry_says_nothing_about_the_token() -> None:
    observations = completed_observations(sync_completed(), DEFAULTS, NOW)
    assert [o.key.alert_type for o in observations] == [AlertType.SYNC_FAILURE]


def test_paused_integration_is_critical_and_active_again_clears() -> None:
    paused = integration_updated(status="paused", status_reason="5 consecutive failures")
    by_type = {o.key.alert_type: o for o in integration_observations(paused, DEFAULTS, NOW)}
    alert = by_type[AlertType.INTEGRATION_PAUSED]
    assert alert.severity is Severity.CRITICAL
    assert alert.message == "The tiktok integration is paused: 5 consecutive failures"
    assert by_type[AlertType.TOKEN_EXPIRY].is_clear  # no expiry

    active = integration_updated(status="active")
    [resumed, _] = integration_observations(active, DEFAULTS, NOW)
    assert resumed.key.alert_type is AlertType.INTEGRATION_PAUSED and resumed.is_clear


def test_reconnected_token_far_from_expiry_clears_the_token_alert() -> None:
    event = integration_updated(token_expires_at=NOW + timedelta(days=60))
    token = integration_observations(event, DEFAULTS, NOW)[1]
    assert token.key.alert_type is AlertType.TOKEN_EXPIRY and token.is_clear


def test_token_expired_status_reason_is_critical() -> None:
    event = integration_updated(status_reason="token_expired", token_expires_at=None)
    token = integration_observations(event, DEFAULTS, NOW)[1]
    assert token.severity is Severity.CRITICAL


def test_disconnected_clears_every_open_alert_given() -> None:
    keys = [
        AlertKey(ORG, AlertType.TOKEN_EXPIRY, "integration", INTEGRATION),
        AlertKey(ORG, AlertType.BUDGET, "campaign", campaign().campaign_id),
    ]
    observations = disconnected_observations(keys, NOW)
    assert [(o.key, o.is_clear, o.reason) for o in observations] == [
        (key, True, "integration disconnected") for key in keys
    ]
