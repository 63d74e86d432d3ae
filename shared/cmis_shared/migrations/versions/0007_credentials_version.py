"""integrations.credentials_version: a compare-and-swap guard on stored credentials

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:00:00

Every write of ``credentials_encrypted`` that changes the credentials (the API's connect and
update, the worker's token refresh) bumps the version, and the worker writes a refreshed
token only if the version is still the one it read. So a user's reconnect during a sync is
never overwritten, and a key rotation never overwrites a token refreshed meanwhile.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "integrations",
        sa.Column("credentials_version", sa.BigInteger(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("integrations", "credentials_version")
