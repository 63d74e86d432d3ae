import uuid

import pytest
from faststream.rabbit import QueueType

from cmis_shared.events import SyncCompleted, SyncRequested, SyncTrigger
from cmis_shared.topology import (
    REQUEST_LANES,
    SERVICE_QUEUES,
    Topology,
    event_routing_key,
    lane_bindings,
)

pytestmark = pytest.mark.unit


def _requested(trigger: SyncTrigger) -> SyncRequested:
    return SyncRequested(
        org_id=uuid.uuid4(), run_id=uuid.uuid4(), integration_id=uuid.uuid4(),
        platform="google", data_type="metrics", trigger=trigger, attempt=1,
    )  # fmt: skip


def test_every_queue_is_a_quorum_queue_without_priorities() -> None:
    topology = Topology("ns.")
    queues = [q for service in SERVICE_QUEUES for q in topology.queues(service)]
    for queue in [*queues, topology.dead_letter_queue]:
        arguments = queue.arguments or {}
        assert arguments["x-queue-type"] == QueueType.QUORUM.value, queue.name
        assert "x-max-priority" not in arguments, queue.name
    names = topology.all_queue_names()
    assert len(names) == len(set(names)) == len(queues) + 1


def test_requests_travel_in_lanes_manual_first_and_backfill_last() -> None:
    topology = Topology("ns.")
    assert REQUEST_LANES == ("manual", "retry", "scheduled", "backfill")
    assert [q.name for q in topology.queues("sync-worker")] == [
        f"ns.cmis.sync-worker.requests.{lane}" for lane in REQUEST_LANES
    ]
    with pytest.raises(ValueError, match="lanes"):
        topology.queue("sync-worker")


@pytest.mark.parametrize("trigger", list(SyncTrigger))
def test_a_request_is_routed_to_the_lane_of_its_trigger(trigger: SyncTrigger) -> None:
    key = event_routing_key(_requested(trigger))
    assert key == f"sync.requested.{trigger.value}"
    bound = {lane: lane_bindings(SERVICE_QUEUES["sync-worker"], lane) for lane in REQUEST_LANES}
    assert [lane for lane, keys in bound.items() if key in keys] == [trigger.value]


def test_a_request_without_a_lane_lands_in_the_scheduled_lane_and_others_keep_their_key() -> None:
    spec = SERVICE_QUEUES["sync-worker"]
    assert [lane for lane in REQUEST_LANES if "sync.requested" in lane_bindings(spec, lane)] == [
        "scheduled"
    ]
    completed = SyncCompleted.model_construct()
    assert event_routing_key(completed) == "sync.completed"
