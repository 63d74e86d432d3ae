import json
from pathlib import Path

import pytest

from cmis_dashboard_api.openapi_document import render

pytestmark = pytest.mark.unit

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_committed_openapi_document_matches_the_routes() -> None:
    assert json.loads(DOCUMENT.read_text()) == json.loads(render()), (
        "routes changed: run `python -m cmis_dashboard_api.openapi_document > docs/openapi.json`"
    )
