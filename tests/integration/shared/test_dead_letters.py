"""cmis-admin dead-letters against the real broker, in the test's namespace."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.dead_letters_cli import dead_letters_command
from cmis_shared.events import SyncRequested
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import event_routing_key
from tests.integration.shared.test_messaging import EffectRecorder, _event, manual_lane
from tests.integration.shared.test_resilience import _dead_letter_count
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


class Switchable(EffectRecorder):
    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.failing = True

    async def __call__(self, event: SyncRequested) -> None:
        self.deliveries += 1
        if self.failing:
            raise ValueError("platform text with a NUL byte")
        self.deliveries -= 1  # counted by the recorder itself
        await super().__call__(event)


async def test_list_show_replay_and_purge(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    runtime = ServiceRuntime(
        settings.model_copy(update={"consumer_max_attempts": 1}), tracer_provider
    )
    await runtime.connect()
    try:
        handler = Switchable(runtime)
        runtime.consumer("sync-worker", {SyncRequested: handler}, queue=manual_lane(runtime))
        await runtime.broker.start()
        first, second, third = _event(), _event(), _event()
        for event in (first, second):
            await _publish(runtime, event)
        await eventually(lambda: _count_is(settings, runtime, 2))

        listing = await dead_letters_command(settings, "list")
        lines = listing.splitlines()
        assert lines[0].split("\t") == [
            "id", "routing_key", "source_queue", "dead_lettered_at", "reason"
        ]  # fmt: skip
        rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
        assert set(rows) == {str(first.event_id), str(second.event_id)}
        row = rows[str(first.event_id)]
        assert row[1] == "sync.requested.manual"
        assert row[2] == manual_lane(runtime).name
        assert row[3]  # when
        assert "NUL byte" in row[4]
        assert await _dead_letter_count(settings, runtime) == 2  # listing keeps them

        shown = await dead_letters_command(settings, "show", message_id=str(second.event_id))
        assert str(second.event_id) in shown and '"event_type":"sync.requested"' in shown

        handler.failing = False
        replayed = await dead_letters_command(settings, "replay", message_id=str(first.event_id))
        assert replayed == "replayed 1"
        await eventually(lambda: handler.applied == [first.event_id])
        assert await _dead_letter_count(settings, runtime) == 1

        replayed = await dead_letters_command(
            settings, "replay", routing_key="sync.requested.manual"
        )
        assert replayed == "replayed 1"
        await eventually(lambda: handler.applied == [first.event_id, second.event_id])
        assert await _dead_letter_count(settings, runtime) == 0

        handler.failing = True
        await _publish(runtime, third)
        await eventually(lambda: _count_is(settings, runtime, 1))
        assert await dead_letters_command(settings, "replay", replay_all=True) == "replayed 1"
        await eventually(lambda: _count_is(settings, runtime, 1))  # failed again
        assert await dead_letters_command(settings, "purge") == "purged 1"
        assert await _dead_letter_count(settings, runtime) == 0
    finally:
        await runtime.stop_background()
        await runtime.dispose()


async def _publish(runtime: ServiceRuntime, event: SyncRequested) -> None:
    await runtime.broker.publish(
        event.to_json(), exchange=runtime.topology.exchange, routing_key=event_routing_key(event),
        persist=True, message_id=str(event.event_id),
    )  # fmt: skip


async def _count_is(settings: CmisSettings, runtime: ServiceRuntime, expected: int) -> bool:
    return await _dead_letter_count(settings, runtime) == expected


class ChannelThatNeverAnswers:
    """What a broker restart can leave behind: a channel that does not say it is closed and
    never answers again."""

    is_closed = False

    async def declare_queue(self, *_args: object, **_kwargs: object) -> None:
        await asyncio.Event().wait()


async def test_readiness_opens_a_fresh_channel_after_the_dead_letter_probe_hung(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    """Found by the fault suite: after a broker restart `/readyz` reported "dead_letters: no
    answer" for good, asking the same dead channel every time."""
    runtime = ServiceRuntime(
        settings.model_copy(update={"health_check_timeout_seconds": 0.5}), tracer_provider
    )
    await runtime.connect()
    try:
        runtime._admin_channel = ChannelThatNeverAnswers()  # type: ignore[assignment]
        first = await runtime.readiness()
        assert first.to_dict()["checks"]["dead_letters"]["ok"] is False  # type: ignore[index]

        async def answers_again() -> bool:
            report = await runtime.readiness()
            return report.to_dict()["checks"]["dead_letters"]["ok"] is True  # type: ignore[index,no-any-return]

        await eventually(answers_again)
    finally:
        await runtime.stop_background()
        await runtime.dispose()
