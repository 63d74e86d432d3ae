"""backfills on demand: requests and their windows; backfill runs outside the active index

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:00:00

``backfills`` and ``backfill_windows`` are planned by dashboard-api and run by the scheduler
(ownership note in ``cmis_shared.db.models``). ``uq_sync_runs_active`` now leaves backfill
runs out: several windows of one integration may run at once, and none of them blocks a
scheduled or manual sync of the same integration and data type.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = "status IN ('queued', 'running')"


def upgrade() -> None:
    op.create_table(
        "backfills",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("requested_by", sa.String(length=320), nullable=False),
        sa.Column(
            "requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("correlation_id", sa.UUID(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("integration_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("data_types", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("only_gaps", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("windows_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("windows_done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("windows_failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("windows_cancelled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_stored", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_backfills_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfills")),
    )
    op.create_index(
        "ix_backfills_org_id_requested_at", "backfills", ["org_id", "requested_at"], unique=False
    )
    op.create_table(
        "backfill_windows",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("backfill_id", sa.UUID(), nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("integration_id", sa.UUID(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("data_type", sa.String(length=20), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempt", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column(
            "not_before", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("run_id", sa.UUID(), nullable=True),
        sa.Column("rows_stored", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["backfill_id"], ["backfills.id"],
            name=op.f("fk_backfill_windows_backfill_id_backfills"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"], ["integrations.id"],
            name=op.f("fk_backfill_windows_integration_id_integrations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfill_windows")),
    )
    op.create_index(
        "ix_backfill_windows_pending", "backfill_windows", ["platform", "not_before"],
        unique=False, postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_backfill_windows_integration_id_data_type", "backfill_windows",
        ["integration_id", "data_type"], unique=False,
    )
    op.create_index(
        "ix_backfill_windows_backfill_id", "backfill_windows", ["backfill_id"], unique=False
    )
    op.create_index("uq_backfill_windows_run_id", "backfill_windows", ["run_id"], unique=True)
    op.drop_index("uq_sync_runs_active", table_name="sync_runs")
    op.create_index(
        "uq_sync_runs_active", "sync_runs", ["integration_id", "data_type"], unique=True,
        postgresql_where=sa.text(f"{_ACTIVE} AND trigger <> 'backfill'"),
    )


def downgrade() -> None:
    op.drop_index("uq_sync_runs_active", table_name="sync_runs")
    op.execute("UPDATE sync_runs SET status = 'failed' WHERE trigger = 'backfill' AND " + _ACTIVE)
    op.create_index(
        "uq_sync_runs_active", "sync_runs", ["integration_id", "data_type"], unique=True,
        postgresql_where=sa.text(_ACTIVE),
    )
    op.drop_table("backfill_windows")
    op.drop_table("backfills")
