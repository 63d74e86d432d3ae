"""Responses written with :mod:`cmis_dashboard_api.schemas.jsonbytes` (exact decimals, fast)."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from cmis_dashboard_api.schemas.jsonbytes import dumps

JSON = "application/json"


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(dumps(model.model_dump()), status_code, media_type=JSON)
