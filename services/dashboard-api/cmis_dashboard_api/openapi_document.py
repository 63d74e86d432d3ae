"""The HTTP API as the OpenAPI document a frontend generates its typed client from.

``python -m cmis_dashboard_api.openapi_document > docs/openapi.json`` regenerates the committed
document (services/web builds its client from it); a test fails when the routes changed and
the document did not. Built from test settings: nothing is connected, and the development-only
routes stay out of it.
"""

from __future__ import annotations

import json
import sys

from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.settings import DashboardSettings


def render() -> str:
    app = create_app(DashboardSettings(environment="test", benchmark_routes=False))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False)


if __name__ == "__main__":
    sys.stdout.write(render() + "\n")
