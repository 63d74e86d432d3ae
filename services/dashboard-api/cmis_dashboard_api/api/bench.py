"""The benchmark's reference: a bare route returning the same stored bytes from Redis as a raw
Response, without auth. Mounted only when ``benchmark_routes`` is on; not in the API docs."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

router = APIRouter(include_in_schema=False)


@router.get("/_bench/raw/{org_id}")
async def raw_view(org_id: UUID, request: Request) -> Response:
    view = await request.app.state.services.store.get_view(org_id)
    return Response(view, media_type="application/json")
