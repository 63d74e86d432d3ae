"""Dead-letter rule: a message in the dead-letter queue is work that did not happen until an
operator replays or purges it, so a non-empty queue is an alert until it is empty again.

Scope: the queue serves every organization, so the alert is a *system* alert: its org and
subject are the nil UUID. No organization's dashboard shows it (no organization has that
id); logs, metrics and a notifier routing on ``alert_type`` see it. The event contract allows
only ``campaign`` and ``integration`` subjects, so it travels as ``integration`` with the nil
subject id.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_shared.events import AlertType, Severity

SYSTEM_ORG_ID = UUID(int=0)
DEAD_LETTERS_KEY = AlertKey(SYSTEM_ORG_ID, AlertType.DEAD_LETTERS, "integration", SYSTEM_ORG_ID)


def dead_letters_observation(queue: str, depth: int, now: datetime) -> Observation:
    """The queue's depth at ``now``: any message is a critical alert, none clears it."""
    if depth <= 0:
        return clear(DEAD_LETTERS_KEY, now, "the dead-letter queue is empty")
    noun = "message" if depth == 1 else "messages"
    return holds(
        DEAD_LETTERS_KEY,
        now,
        Severity.CRITICAL,
        f"{depth} {noun} in the dead-letter queue {queue}",
        {"queue": queue, "message_count": depth},
    )
