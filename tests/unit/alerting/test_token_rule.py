import uuid
from datetime import timedelta

import pytest

from cmis_alerting.domain.observations import AlertKey, Observation
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.tokens import (
    TokenFacts,
    timer_observations,
    token_key,
    token_observation,
)
from cmis_shared.events import AlertType, Severity
from tests.unit.alerting.factories import INTEGRATION, NOW, ORG

pytestmark = pytest.mark.unit

DEFAULTS = Thresholds()
SECOND = timedelta(seconds=1)


def _observe(remaining: timedelta | None, thresholds: Thresholds = DEFAULTS) -> Observation:
    expires_at = NOW + remaining if remaining is not None else None
    return token_observation(ORG, INTEGRATION, "meta", expires_at, thresholds, NOW, NOW)


@pytest.mark.parametrize(
    ("remaining", "expected"),
    [
        (timedelta(days=7) + SECOND, None),
        (timedelta(days=7), Severity.WARNING),
        (timedelta(days=7) - SECOND, Severity.WARNING),
        (timedelta(hours=24) + SECOND, Severity.WARNING),
        (timedelta(hours=24), Severity.CRITICAL),
        (timedelta(hours=24) - SECOND, Severity.CRITICAL),
        (SECOND, Severity.CRITICAL),
        (timedelta(0), Severity.CRITICAL),
        (-timedelta(days=3), Severity.CRITICAL),
    ],
)
def test_token_at_below_and_above_each_threshold(
    remaining: timedelta, expected: Severity | None
) -> None:
    assert _observe(remaining).severity == expected


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (timedelta(days=5, hours=3), "expires in 5 days"),
        (timedelta(days=1, hours=1), "expires in 1 day"),
        (timedelta(hours=20, minutes=59), "expires in 20 hours"),
        (timedelta(minutes=59), "expires in less than an hour"),
        (timedelta(0), "has expired"),
        (-timedelta(hours=2), "has expired"),
    ],
)
def test_message_says_how_long_is_left(remaining: timedelta, text: str) -> None:
    assert _observe(remaining).message == f"Access token of the meta integration {text}"


def test_token_without_expiry_clears() -> None:
    observation = _observe(None)
    assert observation.is_clear
    assert observation.key.alert_type is AlertType.TOKEN_EXPIRY
    assert observation.key.subject_id == INTEGRATION


def test_known_expired_token_is_critical_whatever_its_stored_expiry() -> None:
    observation = token_observation(
        ORG, INTEGRATION, "meta", NOW + timedelta(days=30), DEFAULTS, NOW, NOW, known_expired=True
    )
    assert observation.severity is Severity.CRITICAL
    assert observation.message.endswith("has expired")


def test_refreshable_token_near_expiry_clears_unless_a_refresh_was_refused() -> None:
    expiring = NOW + timedelta(minutes=30)
    renewed = token_observation(
        ORG, INTEGRATION, "google", expiring, DEFAULTS, NOW, NOW, refreshable=True
    )
    assert renewed.is_clear
    refused = token_observation(
        ORG, INTEGRATION, "google", expiring, DEFAULTS, NOW, NOW,
        refreshable=True, known_expired=True,
    )  # fmt: skip
    assert refused.severity is Severity.CRITICAL


def test_timer_leaves_refreshable_tokens_alone() -> None:
    facts = TokenFacts(ORG, INTEGRATION, "linkedin", NOW + timedelta(minutes=5), refreshable=True)
    assert timer_observations([facts], {}, DEFAULTS, NOW) == []


def test_organization_token_thresholds_apply() -> None:
    custom = DEFAULTS.with_overrides(
        {"alerts": {"token_warning_days": 14, "token_critical_hours": 48}}
    )
    assert _observe(timedelta(days=10), custom).severity is Severity.WARNING
    assert _observe(timedelta(hours=47), custom).severity is Severity.CRITICAL
    assert _observe(timedelta(days=10)).severity is None


def _facts(remaining: timedelta, status: str = "active", **org_settings: object) -> TokenFacts:
    return TokenFacts(
        ORG, uuid.uuid4(), "google", NOW + remaining, status, {"alerts": org_settings}
    )


def _open(*facts: TokenFacts) -> dict[uuid.UUID, AlertKey]:
    return {f.integration_id: token_key(ORG, f.integration_id) for f in facts}


def test_timer_raises_for_tokens_near_expiry_at_its_own_now() -> None:
    soon, later = _facts(timedelta(hours=2)), _facts(timedelta(days=3))
    far = _facts(timedelta(days=60))
    observations = timer_observations([soon, later, far], {}, DEFAULTS, NOW)
    by_subject = {o.key.subject_id: o for o in observations}
    assert set(by_subject) == {soon.integration_id, later.integration_id}
    assert by_subject[soon.integration_id].severity is Severity.CRITICAL
    assert by_subject[later.integration_id].severity is Severity.WARNING
    assert all(o.fact_at == NOW for o in observations)


def test_timer_escalates_as_its_clock_advances() -> None:
    facts = _facts(timedelta(days=2))
    [before] = timer_observations([facts], {}, DEFAULTS, NOW)
    [after] = timer_observations([facts], {}, DEFAULTS, NOW + timedelta(days=1, seconds=1))
    assert (before.severity, after.severity) == (Severity.WARNING, Severity.CRITICAL)


def test_timer_clears_only_open_alerts_whose_token_was_renewed() -> None:
    renewed, untouched = _facts(timedelta(days=60)), _facts(timedelta(days=60))
    observations = timer_observations([renewed, untouched], _open(renewed), DEFAULTS, NOW)
    assert [(o.key.subject_id, o.is_clear) for o in observations] == [
        (renewed.integration_id, True)
    ]


def test_timer_uses_each_organizations_thresholds() -> None:
    custom = _facts(timedelta(days=10), token_warning_days=14)
    default = _facts(timedelta(days=10))
    observations = timer_observations([custom, default], {}, DEFAULTS, NOW)
    assert [o.key.subject_id for o in observations] == [custom.integration_id]


def test_timer_leaves_paused_integrations_to_their_events() -> None:
    paused = _facts(timedelta(hours=1), status="paused")
    assert timer_observations([paused], {}, DEFAULTS, NOW) == []
    assert timer_observations([paused], _open(paused), DEFAULTS, NOW) == []


def test_timer_clears_open_alerts_of_disconnected_or_deleted_integrations() -> None:
    disconnected = _facts(timedelta(hours=1), status="disconnected")
    deleted = _facts(timedelta(hours=1))
    observations = timer_observations([disconnected], _open(disconnected, deleted), DEFAULTS, NOW)
    assert [(o.key.subject_id, o.is_clear, o.reason) for o in observations] == [
        (disconnected.integration_id, True, "integration disconnected"),
        (deleted.integration_id, True, "integration no longer exists"),
    ]
