"""indexes on the time columns retention deletes by

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:00:00

The scheduler's retention job deletes old rows in bounded batches (``LIMIT`` per statement);
each batch must find its rows through an index on the time column instead of scanning the
table: inbox rows by ``processed_at``, terminal runs by ``finished_at`` (their attempts and
retry entries go by cascade, through the (run_id, attempt) unique indexes), dispatched retry
entries by ``dispatched_at``.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_processed_events_processed_at", "processed_events", ["processed_at"])
    op.create_index("ix_sync_runs_finished_at", "sync_runs", ["finished_at"])
    op.create_index(
        "ix_retry_entries_dispatched_at",
        "retry_entries",
        ["dispatched_at"],
        postgresql_where="dispatched_at IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_index("ix_retry_entries_dispatched_at", table_name="retry_entries")
    op.drop_index("ix_sync_runs_finished_at", table_name="sync_runs")
    op.drop_index("ix_processed_events_processed_at", table_name="processed_events")
