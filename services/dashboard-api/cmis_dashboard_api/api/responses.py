"""Responses written with :mod:`cmis_dashboard_api.schemas.jsonbytes` (exact decimals, fast)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from cmis_dashboard_api.schemas.jsonbytes import dumps

JSON = "application/json"


class StoredJson(JSONResponse):
    """Bytes already serialized as JSON (the materialized dashboard), sent as they are. As a
    route's ``response_class`` it keeps the response model's schema in the OpenAPI document
    (FastAPI documents a model only for JSON response classes), which a plain ``Response``
    drops, leaving clients with an untyped body."""

    def render(self, content: Any) -> bytes:
        return bytes(content)


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(dumps(model.model_dump()), status_code, media_type=JSON)
