"""After a sync that read metrics: the anomaly and budget pacing rules' observations, from
the stored figures (read in the handler's unit of work)."""

from __future__ import annotations

from datetime import datetime, timedelta

from cmis_alerting.domain.metric_rules import (
    LOOKBACK_DAYS,
    MetricFacts,
    local_time,
    metric_observations,
)
from cmis_alerting.domain.observations import Observation
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.ports import MetricsRepository
from cmis_shared.events import SyncCompleted


async def metric_rule_observations(
    metrics: MetricsRepository, event: SyncCompleted, thresholds: Thresholds, now: datetime
) -> list[Observation]:
    if event.range_end is None:  # this sync did not read metrics
        return []
    now_local = local_time(now, await metrics.integration_timezone(event.integration_id))
    today = now_local.date()
    since = today - timedelta(days=LOOKBACK_DAYS)
    facts = MetricFacts(
        org_id=event.org_id,
        integration_id=event.integration_id,
        campaigns=await metrics.campaign_series(event.integration_id, since, today),
        organization=await metrics.organization_days(event.org_id, since, today),
    )
    return metric_observations(facts, thresholds, now_local, event.occurred_at)
