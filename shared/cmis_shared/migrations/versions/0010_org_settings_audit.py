"""organizations.currency and the audit_log of settings and member changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 09:00:00

``organizations.currency`` is the organization's reporting currency (ISO 4217); NULL means
"not chosen", and the API shows the first connected account's currency instead. Every change
of an organization's settings or members through the API writes one ``audit_log`` row in the
same transaction: who, when, what, with the values before and after (never a secret). The
audit route pages newest first by ``(created_at, id)``, hence the index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("organizations", sa.Column("currency", sa.String(length=3), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_email", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("before", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("after", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name="fk_audit_log_org_id_organizations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name="fk_audit_log_actor_user_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index(
        "ix_audit_log_org_id_created_at_id", "audit_log", ["org_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_org_id_created_at_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_column("organizations", "currency")
