"""Events and states for the dashboard's unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from cmis_dashboard_api.domain.state import DashboardState
from cmis_shared.events import CampaignFact, ContentTotals, MetricTotals, PostFact, SyncCompleted

T0 = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
ORG = uuid.uuid4()


def state(**kwargs: Any) -> DashboardState:
    return DashboardState(org_id=ORG, org_name="Acme", updated_at=T0, **kwargs)


def campaign(
    spend: str = "100", impressions: int = 1000, clicks: int = 50, value: str = "300", **kw: Any
) -> CampaignFact:
    return CampaignFact(
        campaign_id=kw.pop("campaign_id", uuid.uuid4()),
        external_id=kw.pop("external_id", uuid.uuid4().hex[:8]),
        name=kw.pop("name", "Summer"),
        status=kw.pop("status", "active"),
        currency="USD",
        last_30_days=MetricTotals(
            spend=Decimal(spend),
            impressions=impressions,
            clicks=clicks,
            conversions=Decimal(3),
            conversion_value=Decimal(value),
        ),
        **kw,
    )


def completed(
    integration_id: uuid.UUID,
    campaigns: list[CampaignFact] | None = None,
    at: datetime = T0,
    data_type: str = "all",
    posts: list[PostFact] | None = None,
    content: ContentTotals | None = None,
) -> SyncCompleted:
    return SyncCompleted(
        org_id=ORG,
        run_id=uuid.uuid4(),
        integration_id=integration_id,
        platform="google",
        data_type=data_type,
        trigger="scheduled",
        attempt=1,
        occurred_at=at,
        started_at=at - timedelta(seconds=2),
        finished_at=at,
        duration_ms=2000,
        campaigns=campaigns or [],
        recent_posts=posts or [],
        content_last_30_days=content,
    )


def post(published_at: datetime, likes: int = 10, impressions: int = 100) -> PostFact:
    return PostFact(
        post_id=uuid.uuid4(),
        external_id=uuid.uuid4().hex,
        text="hello " * 40,
        published_at=published_at,
        likes=likes,
        impressions=impressions,
    )
