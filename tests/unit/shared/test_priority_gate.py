import asyncio

import pytest

from cmis_shared.priority_gate import PriorityGate

pytestmark = pytest.mark.unit


async def _started(gate: PriorityGate, rank: int, order: list[str], name: str) -> None:
    async with gate.slot(rank):
        order.append(name)
        await asyncio.sleep(0)


async def test_a_freed_slot_goes_to_the_highest_lane_waiting_first_come_within_a_lane() -> None:
    gate = PriorityGate(1)
    order: list[str] = []
    await gate.acquire(2)  # a scheduled sync holds the only slot
    waiters = [
        asyncio.create_task(_started(gate, rank, order, name))
        for rank, name in ((2, "scheduled-1"), (3, "backfill"), (1, "retry"), (0, "manual"),
                           (2, "scheduled-2"), (0, "manual-2"))
    ]  # fmt: skip
    await asyncio.sleep(0.01)
    assert order == [] and gate.waiting() == 6 and gate.waiting(0) == 2
    gate.release()
    await asyncio.gather(*waiters)
    assert order == ["manual", "manual-2", "retry", "scheduled-1", "scheduled-2", "backfill"]
    assert gate.held == 0


async def test_up_to_capacity_start_at_once() -> None:
    gate = PriorityGate(3)
    for _ in range(3):
        await asyncio.wait_for(gate.acquire(2), 1)
    blocked = asyncio.create_task(gate.acquire(0))
    await asyncio.sleep(0.01)
    assert not blocked.done() and gate.held == 3
    gate.release()
    await asyncio.wait_for(blocked, 1)
    assert gate.held == 3


async def test_a_cancelled_waiter_gives_up_its_place_and_never_leaks_a_slot() -> None:
    gate = PriorityGate(1)
    await gate.acquire(2)
    cancelled = asyncio.create_task(gate.acquire(0))
    later = asyncio.create_task(gate.acquire(2))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    gate.release()
    await asyncio.wait_for(later, 1)
    gate.release()
    assert gate.held == 0 and gate.waiting() == 0


async def test_a_waiter_cancelled_as_it_is_granted_passes_the_slot_on() -> None:
    gate = PriorityGate(1)
    await gate.acquire(0)
    first = asyncio.create_task(gate.acquire(0))
    second = asyncio.create_task(gate.acquire(1))
    await asyncio.sleep(0.01)
    gate.release()  # granted to first ...
    first.cancel()  # ... which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)
    gate.release()
    assert gate.held == 0


def test_releasing_more_than_acquired_is_an_error() -> None:
    gate = PriorityGate(2)
    with pytest.raises(RuntimeError):
        gate.release()
    with pytest.raises(ValueError):
        PriorityGate(0)
