"""After a metrics sync: the anomaly rules on the synced account's campaigns and on the
organization's totals, and budget pacing on the account's campaigns.

Which day is judged: the last *complete* day in the account's calendar (today's figures are
partial, and a partial day reads as a drop), or the latest day with figures when that is
earlier. Pacing needs current figures: it is judged only when the account has figures for
yesterday or today.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cmis_alerting.domain.anomalies import BASELINE_DAYS, AnomalySubject, anomaly_observations
from cmis_alerting.domain.observations import Observation
from cmis_alerting.domain.pacing import pacing_observation
from cmis_alerting.domain.series import AccountDay, CampaignSeries, organization_series
from cmis_alerting.domain.thresholds import Thresholds

# Enough days back for the baseline of the judged day and for a month-long pacing period.
LOOKBACK_DAYS = max(BASELINE_DAYS + 2, 32)
_ORGANIZATION_SUBJECTS = uuid.UUID("7b0c6a55-4a43-4bd1-9d4e-5f2f7c1e0a17")


@dataclass(frozen=True)
class MetricFacts:
    org_id: UUID
    integration_id: UUID
    campaigns: list[CampaignSeries]
    organization: list[AccountDay]


def local_time(now: datetime, timezone: str | None) -> datetime:
    """``now`` in the account's time zone (UTC when unknown, rather than failing)."""
    try:
        return now.astimezone(ZoneInfo(timezone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return now


def organization_subject_id(org_id: UUID, currency: str) -> UUID:
    """The organization's totals in one currency: a stable subject id per (org, currency)."""
    return uuid.uuid5(_ORGANIZATION_SUBJECTS, f"{org_id}:{currency}")


def judged_day(campaigns: list[CampaignSeries], today: date) -> date | None:
    latest = max((d for c in campaigns for d in c.days if d <= today), default=None)
    if latest is None:
        return None
    return min(latest, today - timedelta(days=1))


def metric_observations(
    facts: MetricFacts, thresholds: Thresholds, now_local: datetime, fact_at: datetime
) -> list[Observation]:
    today = now_local.date()
    day = judged_day(facts.campaigns, today)
    if day is None:
        return []
    sensitivity = thresholds.anomaly_sensitivity
    observations: list[Observation] = []
    for campaign in facts.campaigns:
        subject = AnomalySubject(
            facts.org_id,
            "campaign",
            campaign.campaign_id,
            f"campaign '{campaign.name}'",
            campaign.currency,
            {"integration_id": str(campaign.integration_id), "campaign_name": campaign.name},
        )
        observations += anomaly_observations(subject, campaign.days, day, fact_at, sensitivity)
    for currency, series in sorted(organization_series(facts.organization, day).items()):
        subject = AnomalySubject(
            facts.org_id,
            "organization",
            organization_subject_id(facts.org_id, currency),
            f"the organization ({currency})",
            currency,
            {"scope": "organization"},
        )
        observations += anomaly_observations(subject, series, day, fact_at, sensitivity)
    if day >= today - timedelta(days=1):
        observations += [
            pacing_observation(
                facts.org_id, campaign, now_local, today, fact_at, thresholds.pacing_under_pct
            )
            for campaign in facts.campaigns
        ]
    return observations
