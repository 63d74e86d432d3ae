"""index alert_history by time, for its retention

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:00:00

Alerting deletes history rows older than its retention period in bounded batches, oldest
first; without an index on ``at`` every batch would scan the whole table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_alert_history_at", "alert_history", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alert_history_at", table_name="alert_history")
