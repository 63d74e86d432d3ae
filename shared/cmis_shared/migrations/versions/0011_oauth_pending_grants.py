"""oauth_pending_grants: grants from an OAuth consent waiting for their user's choice

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00

The callback of an OAuth consent exchanges the code on the server and keeps the grant here
(tokens encrypted) with the accounts it reaches, until the user who started the consent
chooses which to connect. Rows expire (``expires_at``) and are used once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_pending_grants",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("org_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("credentials_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshable", sa.Boolean(), nullable=False),
        sa.Column("accounts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "grant_extra",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_oauth_pending_grants_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_pending_grants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_pending_grants")),
    )
    op.create_index(
        op.f("ix_oauth_pending_grants_expires_at"), "oauth_pending_grants", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_oauth_pending_grants_expires_at"), table_name="oauth_pending_grants")
    op.drop_table("oauth_pending_grants")
