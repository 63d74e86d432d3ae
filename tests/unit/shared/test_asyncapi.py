import json
from pathlib import Path

import pytest

from cmis_shared.asyncapi import render, routing_keys_of
from cmis_shared.events import EVENT_TYPES
from cmis_shared.topology import REQUEST_LANES

pytestmark = pytest.mark.unit

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.json"


def test_committed_asyncapi_document_matches_the_contracts() -> None:
    assert json.loads(DOCUMENT.read_text()) == json.loads(render()), (
        "event contracts changed: run `python -m cmis_shared.asyncapi > docs/asyncapi.json`"
    )


def test_every_event_type_is_documented_with_its_schema() -> None:
    document = json.loads(render())
    schemas = document["components"]["schemas"]
    for event_class in EVENT_TYPES.values():
        assert event_class.__name__ in schemas
    addresses = {channel["address"] for channel in document["channels"].values()}
    published = {key for event_type in EVENT_TYPES for key in routing_keys_of(event_type)}
    assert published <= addresses  # one channel per routing key
    assert {f"sync.requested.{lane}" for lane in REQUEST_LANES} <= published
