"""The delivery loop: claim due notifications (at most one in flight per channel, so one slow
or failing endpoint holds only its own slot), send each in its own task under the timeout,
record the attempt (retry with backoff, give up, disable a channel that keeps failing)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any
from uuid import UUID

import structlog

from cmis_notifier.domain.delivery import AttemptResult, DeliveryState, RetryPolicy, after_attempt
from cmis_notifier.domain.grouping import NotificationKind
from cmis_notifier.domain.messages import build_body, sample_alert
from cmis_notifier.domain.records import ClaimedNotification, FinishedAttempt, Recorded
from cmis_notifier.loops import wait_for_wake
from cmis_notifier.ports import DeliveryMetrics, DeliveryQueue, Sender
from cmis_shared.clock import Clock, system_clock
from cmis_shared.crypto import CredentialsDecryptionError, TokenCipher
from cmis_shared.events import Event
from cmis_shared.failures import is_infrastructure_error

log = structlog.get_logger(__name__)

Announce = Callable[[ClaimedNotification, Recorded], Sequence[Event]]


class DeliveryLoop:
    def __init__(
        self,
        queue: DeliveryQueue,
        sender: Sender,
        cipher: TokenCipher,
        policy: RetryPolicy,
        metrics: DeliveryMetrics,
        *,
        web_base_url: str,
        concurrency: int,
        lease: timedelta,
        poll_seconds: float,
        clock: Clock = system_clock,
        announce: Announce = lambda _claimed, _recorded: (),
    ) -> None:
        self._queue = queue
        self._sender = sender
        self._cipher = cipher
        self._policy = policy
        self._metrics = metrics
        self._web_base_url = web_base_url
        self._concurrency = concurrency
        self._lease = lease
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._announce = announce
        self._wake = asyncio.Event()
        self._in_flight: dict[UUID, asyncio.Task[None]] = {}  # channel -> its attempt

    def wake(self) -> None:
        self._wake.set()

    @property
    def busy_channels(self) -> frozenset[UUID]:
        """Channels with an attempt in flight in this process."""
        return frozenset(self._in_flight)

    async def run(self) -> None:
        try:
            while True:
                await self.dispatch_once()
                await wait_for_wake(self._wake, self._poll_seconds)
        finally:
            # Stopped (SIGTERM): unfinished attempts keep their lease; it expires and the
            # next notifier sends them again under the same idempotency key.
            for task in self._in_flight.values():
                task.cancel()

    async def dispatch_once(self) -> int:
        """Claim what is due into the free slots; returns how many attempts started."""
        free = self._concurrency - len(self._in_flight)
        if free <= 0:
            return 0
        claimed = await self._queue.claim(free, set(self._in_flight), self._lease)
        for notification in claimed:
            task = asyncio.create_task(self._attempt(notification))
            self._in_flight[notification.channel_id] = task
            task.add_done_callback(partial(self._finished, notification.channel_id))
        return len(claimed)

    async def drain(self) -> None:
        """Wait for the attempts in flight (tests)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    def _finished(self, channel_id: UUID, _: asyncio.Task[None]) -> None:
        self._in_flight.pop(channel_id, None)
        self._wake.set()  # a slot is free, and the channel may have more waiting

    async def _attempt(self, claimed: ClaimedNotification) -> None:
        kind = claimed.channel_kind
        with structlog.contextvars.bound_contextvars(
            notification_id=str(claimed.notification_id),
            channel_id=str(claimed.channel_id),
            attempt=claimed.attempts,
        ):
            self._metrics.attempt_started()
            try:
                result = await self._send(claimed)
            except BaseException:  # cancelled (shutdown) or a sender's bug: not in flight
                self._metrics.attempt_ended(kind, None)
                raise
            self._metrics.attempt_ended(kind, result.latency_ms / 1000)
            step = after_attempt(result, claimed.attempts, self._policy, self._clock())
            try:
                recorded = await self._queue.record(
                    FinishedAttempt(claimed, result, step), lambda r: self._announce(claimed, r)
                )
            except Exception as error:
                if not is_infrastructure_error(error):
                    raise
                # Not recorded: the lease expires and the notification is sent again with the
                # same idempotency key, which the receiver dedupes.
                log.warning("delivery not recorded; it will be retried", error=repr(error)[:200])
                return
            self._count(claimed, result, recorded)

    async def _send(self, claimed: ClaimedNotification) -> AttemptResult:
        try:
            target = self._cipher.decrypt(claimed.target_encrypted)
        except CredentialsDecryptionError:
            return AttemptResult(False, 0, reason="undecryptable", error="target undecryptable")
        return await self._sender.send(claimed.channel_kind, target, self.body_of(claimed))

    def body_of(self, claimed: ClaimedNotification) -> dict[str, Any]:
        """The stored body; a test's is the sample, built the same on every attempt."""
        if claimed.kind != NotificationKind.TEST:
            return claimed.payload
        return build_body(
            notification_id=claimed.notification_id,
            kind=NotificationKind.TEST,
            org_id=claimed.org_id,
            channel_id=claimed.channel_id,
            created_at=claimed.created_at,
            alert_type="budget",
            alerts=[sample_alert(claimed.created_at, claimed.org_id)],
            web_base_url=self._web_base_url,
        )

    def _count(
        self, claimed: ClaimedNotification, result: AttemptResult, recorded: Recorded | None
    ) -> None:
        kind = claimed.channel_kind
        if result.ok:
            self._metrics.sent(kind, claimed.kind)
            log.info("notification delivered", latency_ms=result.latency_ms)
        else:
            self._metrics.failed(kind, result.reason or "failed")
            log.warning(
                "notification attempt failed",
                reason=result.reason,
                response_code=result.response_code,
                latency_ms=result.latency_ms,
            )
        if recorded is None:
            log.warning("lease lost before recording; another claim owns the notification")
            return
        if recorded.state == DeliveryState.FAILED:
            self._metrics.given_up(kind)
            log.error("notification given up", attempts=claimed.attempts)
        if recorded.channel_disabled:
            self._metrics.channel_disabled()
            log.error("channel disabled", failures=recorded.channel_failures)
