"""The delivery queue: ``notifications`` rows claimed under a lease before any send
(claim-before-send), the result recorded only by the lease holder, every attempt kept in
``notification_attempts``. A notifier killed mid-send leaves its rows ``sending`` with a lease
that expires; another claim sends them again with the same idempotency key."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_notifier.domain.delivery import DeliveryState
from cmis_notifier.domain.records import ClaimedNotification, FinishedAttempt, Recorded
from cmis_shared.db.models import Notification, NotificationAttempt, NotificationChannel
from cmis_shared.events import Event
from cmis_shared.outbox import add_events

# One per channel (DISTINCT ON), oldest first, among channels with no attempt in flight here
# or in another replica: a slow endpoint holds only its own slot. SKIP LOCKED lets several
# replicas claim at once.
_CLAIM = text(
    """
    WITH due AS (
        SELECT DISTINCT ON (n.channel_id) n.id
        FROM notifications n
        JOIN notification_channels c ON c.id = n.channel_id AND c.enabled
        WHERE ((n.state = 'pending' AND n.next_attempt_at <= now())
               OR (n.state = 'sending' AND n.lease_until < now()))
          AND NOT (n.channel_id = ANY(CAST(:busy AS uuid[])))
          AND NOT EXISTS (  -- another replica's attempt to the channel, still leased
              SELECT 1 FROM notifications s
              WHERE s.channel_id = n.channel_id AND s.state = 'sending' AND s.lease_until >= now())
        ORDER BY n.channel_id, n.created_at
    ),
    locked AS (
        SELECT n.id FROM notifications n JOIN due USING (id)
        ORDER BY n.created_at LIMIT :limit FOR UPDATE OF n SKIP LOCKED
    )
    UPDATE notifications n
    SET state = 'sending', attempts = n.attempts + 1, lease_token = :token,
        lease_until = now() + make_interval(secs => :lease)
    FROM locked, notification_channels c
    WHERE n.id = locked.id AND c.id = n.channel_id
    RETURNING n.id, n.channel_id, c.kind, c.target_encrypted, n.kind AS notification_kind,
              n.payload, n.attempts, n.created_at, n.org_id
    """
)


# Finished notifications (delivered or given up) past the retention; their attempts follow
# (ON DELETE CASCADE). Pending and sending rows are never pruned.
_PRUNE = text(
    """
    DELETE FROM notifications WHERE id IN (
        SELECT id FROM notifications
        WHERE state IN ('delivered', 'failed') AND created_at < :before
        LIMIT :limit
    )
    """
)


class SqlDeliveryQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], disable_after: int) -> None:
        self._sessions = sessions
        self._disable_after = disable_after  # consecutive failed attempts of a channel

    async def claim(
        self, limit: int, busy_channels: Collection[UUID], lease: timedelta
    ) -> list[ClaimedNotification]:
        token = uuid.uuid4()
        async with self._sessions() as session, session.begin():
            rows = await session.execute(
                _CLAIM,
                {
                    "busy": list(busy_channels),
                    "limit": limit,
                    "token": token,
                    "lease": lease.total_seconds(),
                },
            )
            return [
                ClaimedNotification(
                    notification_id=row.id,
                    channel_id=row.channel_id,
                    channel_kind=row.kind,
                    target_encrypted=row.target_encrypted,
                    kind=row.notification_kind,
                    payload=row.payload,
                    attempts=row.attempts,
                    lease_token=token,
                    created_at=row.created_at,
                    org_id=row.org_id,
                )
                for row in rows
            ]

    async def prune(self, before: datetime, limit: int) -> int:
        async with self._sessions() as session, session.begin():
            result = await session.execute(_PRUNE, {"before": before, "limit": limit})
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def record(
        self, attempt: FinishedAttempt, announce: Callable[[Recorded], Sequence[Event]]
    ) -> Recorded | None:
        claimed, result, step = attempt.claimed, attempt.result, attempt.step
        async with self._sessions() as session, session.begin():
            moved = await session.execute(
                update(Notification)
                .where(
                    Notification.id == claimed.notification_id,
                    Notification.lease_token == claimed.lease_token,
                    Notification.state == DeliveryState.SENDING,
                )
                .values(
                    state=str(step.state),
                    next_attempt_at=step.next_attempt_at or func.now(),
                    lease_token=None,
                    lease_until=None,
                    last_error=None if result.ok else (result.reason or "failed"),
                    delivered_at=func.now() if result.ok else None,
                )
                .returning(Notification.id)
            )
            if moved.scalar() is None:
                return None  # the lease expired and another claim owns it now
            session.add(
                NotificationAttempt(
                    notification_id=claimed.notification_id,
                    channel_id=claimed.channel_id,
                    attempt=claimed.attempts,
                    status="delivered" if result.ok else "failed",
                    reason=result.reason,
                    response_code=result.response_code,
                    latency_ms=result.latency_ms,
                    error=result.error,
                )
            )
            channel = await session.scalar(
                select(NotificationChannel)
                .where(NotificationChannel.id == claimed.channel_id)
                .with_for_update()
            )
            if channel is None:
                return None
            disabled = False
            if result.ok:
                channel.consecutive_failures = 0
            else:
                channel.consecutive_failures += 1
                if channel.enabled and channel.consecutive_failures >= self._disable_after:
                    channel.enabled = False
                    channel.disabled_reason = (
                        f"disabled after {channel.consecutive_failures} failed deliveries in a "
                        f"row (last: {result.reason})"
                    )
                    disabled = True
            recorded = Recorded(
                state=str(step.state),
                channel_disabled=disabled,
                channel_failures=channel.consecutive_failures,
                org_id=channel.org_id,
                channel_name=channel.name,
                reason=result.reason,
            )
            events = announce(recorded)
            if events:
                await add_events(session, events)
            return recorded
