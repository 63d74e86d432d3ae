"""every API token expires

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00

Existing tokens expire 30 days after their creation (the default lifetime); the server
default keeps a token inserted without an expiry from living forever.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE api_tokens SET expires_at = created_at + interval '30 days'")
    op.alter_column(
        "api_tokens",
        "expires_at",
        nullable=False,
        server_default=sa.text("now() + interval '30 days'"),
    )


def downgrade() -> None:
    op.drop_column("api_tokens", "expires_at")
