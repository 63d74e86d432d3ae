"""Published posts with their engagement, newest first, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from cmis_dashboard_api.adapters import chart_queries
from cmis_dashboard_api.adapters.chart_queries import PostQuery
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import OrgAccess, SessionDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.paging import CursorParam, Limit, PlatformFilter, after
from cmis_dashboard_api.api.responses import JSON
from cmis_dashboard_api.domain.charts import cut_page, post_entry
from cmis_dashboard_api.schemas.common import Instant
from cmis_dashboard_api.schemas.data import PostPage, page
from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.clock import system_clock

router = APIRouter(tags=["posts"])
SORT = "published_at:desc"


@router.get(
    "/orgs/{org_id}/posts",
    response_model=PostPage,
    **documented(
        summary="Published posts",
        description=(
            "The connected accounts' posts, newest first, with likes, comments, shares, "
            "impressions and the engagement rate; filtered by platform and publication time, "
            "paged with `cursor`. `freshness` tells when the account last synced; engagement "
            "keeps growing while the post is recent."
        ),
        response_example=examples.POST_PAGE,
        sample_query="platform=meta&limit=20",
    ),
)
async def list_posts(
    org_id: OrgAccess,
    session: SessionDep,
    platform: PlatformFilter = None,
    since: Annotated[Instant | None, Query(description="Published at or after.")] = None,
    until: Annotated[Instant | None, Query(description="Published before.")] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    query = PostQuery(
        org_id=org_id,
        platform=platform,
        since=since,
        until=until,
        after=after(cursor, SORT, "timestamptz"),
        limit=limit + 1,
    )
    rows, next_cursor = cut_page(
        await chart_queries.posts(session, query),
        limit,
        SORT,
        lambda row: row["published_at"].isoformat(),
    )
    now = system_clock()
    return Response(
        dumps(page([post_entry(row, now) for row in rows], next_cursor)), media_type=JSON
    )
