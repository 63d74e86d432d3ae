"""The flush: due groups become notifications (one message per group), in one transaction
with the buffer's changes, so a crash neither loses an alert nor sends a group twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog

from cmis_notifier.domain.decide import decide
from cmis_notifier.domain.grouping import Flush, GroupPolicy
from cmis_notifier.domain.messages import build_body
from cmis_notifier.domain.records import DueGroup
from cmis_notifier.ports import UnitOfWorkFactory
from cmis_shared.clock import Clock, system_clock

log = structlog.get_logger(__name__)


class GroupFlush:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        policy: GroupPolicy,
        web_base_url: str,
        clock: Clock = system_clock,
        notified: Callable[[], None] = lambda: None,
        batch: int = 200,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._policy = policy
        self._web_base_url = web_base_url
        self._clock = clock
        self._notified = notified  # wakes the delivery loop
        self._batch = batch

    async def __call__(self) -> int:
        """Flush what is due now; returns the notifications created."""
        now = self._clock()
        created = 0
        async with self._unit_of_work() as uow:
            repeat_before = now - self._policy.repeat_interval
            for group in await uow.buffer.lock_due_groups(self._batch, repeat_before):
                flush = decide(group, self._policy, now)
                body = None if flush is None else self._body(group, flush, now)
                await uow.buffer.apply_flush(group, flush, body, now)
                if body is not None:
                    created += 1
                    log.info(
                        "notification created",
                        notification_id=body["notification_id"],
                        channel_id=str(group.channel_id),
                        kind=body["kind"],
                        alerts=len(body["alerts"]),
                    )
            await uow.commit()
        if created:
            self._notified()
        return created

    def _body(self, group: DueGroup, flush: Flush, now: datetime) -> dict[str, Any]:
        return build_body(
            notification_id=uuid.uuid4(),
            kind=flush.kind,
            org_id=group.org_id,
            channel_id=group.channel_id,
            created_at=now,
            alert_type=group.group_key,
            alerts=[group.payloads[a.alert_id] for a in flush.alerts],
            web_base_url=self._web_base_url,
        )
