"""Live streams capped per user and per process."""

from __future__ import annotations

from cmis_dashboard_api.domain.stream_slots import StreamSlots


def test_a_user_past_the_cap_gets_no_slot_until_one_is_released() -> None:
    slots = StreamSlots(per_user=2, per_process=10)
    first, second = slots.acquire("ana"), slots.acquire("ana")
    assert first is not None and second is not None
    assert slots.acquire("ana") is None
    assert slots.acquire("ben") is not None  # other users unaffected
    first.release()
    first.release()  # twice frees once
    assert slots.open == 2
    assert slots.acquire("ana") is not None


def test_the_process_cap_holds_across_users() -> None:
    slots = StreamSlots(per_user=5, per_process=2)
    assert slots.acquire("ana") is not None and slots.acquire("ben") is not None
    assert slots.acquire("cy") is None
