"""users.password_hash: people sign in with an email and a password (Argon2id)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00

``password_hash`` holds the whole Argon2 encoded string (algorithm, parameters, salt, hash),
so raising the cost later re-hashes each password at its owner's next sign-in. NULL means
the user cannot sign in with a password (API tokens from ``cmis-admin`` still work).
Sign-in looks a user up by ``lower(email)``: the index keeps that one row read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("password_hash", sa.String(200), nullable=True))
    op.add_column(
        "users", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index("ix_users_email_lower", table_name="users")
    op.drop_column("users", "password_changed_at")
    op.drop_column("users", "password_hash")
