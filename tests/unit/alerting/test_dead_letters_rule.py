"""The dead-letter rule: pure, no fixtures."""

from __future__ import annotations

import pytest

from cmis_alerting.domain.dead_letters import (
    DEAD_LETTERS_KEY,
    SYSTEM_ORG_ID,
    dead_letters_observation,
)
from cmis_shared.events import AlertType, Severity
from tests.unit.alerting.factories import NOW

pytestmark = pytest.mark.unit


def test_any_dead_letter_is_critical_with_the_count() -> None:
    one = dead_letters_observation("ns.cmis.dead-letter", 1, NOW)
    many = dead_letters_observation("ns.cmis.dead-letter", 12, NOW)
    assert one.severity is many.severity is Severity.CRITICAL
    assert one.message == "1 message in the dead-letter queue ns.cmis.dead-letter"
    assert many.message == "12 messages in the dead-letter queue ns.cmis.dead-letter"
    assert many.details == {"queue": "ns.cmis.dead-letter", "message_count": 12}
    assert many.fact_at == NOW


def test_an_empty_queue_clears() -> None:
    observation = dead_letters_observation("q", 0, NOW)
    assert observation.is_clear
    assert observation.reason == "the dead-letter queue is empty"


def test_the_alert_is_one_system_wide_alert() -> None:
    assert dead_letters_observation("q", 3, NOW).key == DEAD_LETTERS_KEY
    assert DEAD_LETTERS_KEY.alert_type is AlertType.DEAD_LETTERS
    assert DEAD_LETTERS_KEY.org_id == DEAD_LETTERS_KEY.subject_id == SYSTEM_ORG_ID
    assert SYSTEM_ORG_ID.int == 0
