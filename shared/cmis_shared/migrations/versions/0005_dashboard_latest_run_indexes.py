"""indexes for the dashboard's latest run and last success per sync lane

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00

The dashboard reads, per (integration, data type), the newest run and the newest successful
run. With these two indexes each is one index probe (``ORDER BY ... LIMIT 1`` in a LATERAL
join) however long the history grows, instead of a sort over the organization's every run.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_sync_runs_lane_requested_at "
        "ON sync_runs (integration_id, data_type, requested_at DESC)"
    )
    op.execute(
        "CREATE INDEX ix_sync_runs_lane_status_finished_at "
        "ON sync_runs (integration_id, data_type, status, finished_at DESC NULLS LAST)"
    )


def downgrade() -> None:
    op.drop_index("ix_sync_runs_lane_status_finished_at", table_name="sync_runs")
    op.drop_index("ix_sync_runs_lane_requested_at", table_name="sync_runs")
