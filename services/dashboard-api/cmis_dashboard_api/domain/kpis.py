"""KPI targets against the dashboard's actual figures."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from cmis_dashboard_api.domain.state import KpiTarget

# The dashboard figures a KPI may track (kpis.metric).
KPI_METRICS = (
    "total_spend",
    "total_impressions",
    "total_clicks",
    "total_conversions",
    "avg_ctr",
    "avg_cpc",
    "roi",
    "posts_published",
    "engagement_rate",
)


def kpi_status(target: Decimal, actual: Decimal | int | None, higher_is_better: bool) -> str:
    """``achieved`` once the target is met, ``in_progress`` while below it (or above it for a
    lower-is-better KPI), ``no_data`` while the figure is undefined."""
    if actual is None:
        return "no_data"
    met = actual >= target if higher_is_better else actual <= target
    return "achieved" if met else "in_progress"


def kpi_rows(
    targets: list[KpiTarget], figures: Mapping[str, Decimal | int | None]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for kpi in targets:
        actual = figures.get(kpi.metric)
        rows.append(
            {
                "name": kpi.name,
                "metric": kpi.metric,
                "target": kpi.target,
                "actual": actual,
                "status": kpi_status(kpi.target, actual, kpi.higher_is_better),
            }
        )
    return rows
