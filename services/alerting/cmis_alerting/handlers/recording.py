"""Applying observations to the stored alerts: the step every handler shares."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from uuid import UUID

import structlog

from cmis_alerting.domain.announce import announce
from cmis_alerting.domain.lifecycle import decide
from cmis_alerting.domain.observations import Observation
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.user_actions import silenced
from cmis_alerting.ports import AlertRepository, UnitOfWorkFactory
from cmis_shared.clock import Clock, system_clock
from cmis_shared.events import AlertRaised, AlertResolved

log = structlog.get_logger(__name__)


async def record(
    store: AlertRepository,
    observations: Iterable[Observation],
    *,
    cause_event_id: UUID | None,
    correlation_id: UUID,
) -> list[AlertRaised | AlertResolved]:
    """Decide and store each observation; return the events to publish in the same
    transaction (the caller's unit of work)."""
    events: list[AlertRaised | AlertResolved] = []
    # One lock order for every transaction: two events touching the same alerts cannot deadlock.
    for observation in sorted(observations, key=_lock_order):
        stored = await store.latest(observation.key)
        decision = decide(stored, observation)
        if decision is None:
            continue
        alert_id = await store.save(decision, cause_event_id)
        if silenced(stored, decision):
            log.info("alert change silenced by the user", alert_id=str(alert_id))
            continue
        event = announce(decision, alert_id, correlation_id)
        if event is not None:
            events.append(event)
            log.info(
                "alert changed",
                action=str(decision.action),
                alert_id=str(alert_id),
                alert_type=str(decision.key.alert_type),
                subject_id=str(decision.key.subject_id),
                severity=str(decision.severity),
            )
    return events


async def record_in_own_unit(
    unit_of_work: UnitOfWorkFactory, observations: Iterable[Observation]
) -> int:
    """A timer's observations (no cause event, a fresh correlation id), recorded and published
    in a unit of work of their own; returns the events emitted. Raises
    ``AlertOpenedConcurrently`` as ``save`` does."""
    async with unit_of_work() as uow:
        events = await record(
            uow.alerts, observations, cause_event_id=None, correlation_id=uuid.uuid4()
        )
        await uow.publish(*events)
        await uow.commit()
    return len(events)


def _lock_order(observation: Observation) -> tuple[str, str]:
    return (observation.key.alert_type, str(observation.key.subject_id))


class RuleHandler:
    """What every handler that evaluates an organization's alert rules holds: units of work
    to read and record in, the default thresholds (an organization's settings override
    them) and the clock the rules judge by."""

    def __init__(
        self, unit_of_work: UnitOfWorkFactory, defaults: Thresholds, clock: Clock = system_clock
    ) -> None:
        self._unit_of_work = unit_of_work
        self._defaults = defaults
        self._clock = clock
