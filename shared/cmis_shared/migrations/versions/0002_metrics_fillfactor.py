"""room on each page for the rows every sync revises

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:45:00

Every sync re-reads the platforms' attribution window (7 to 28 days) and rewrites the
daily metrics and post figures that changed. No indexed column changes, so PostgreSQL can
update such a row in place on its page (a HOT update: no new index entries) when the page
has room; with the default fillfactor of 100 a freshly written page has none. Applies to
pages written from now on.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVISED_TABLES = ("daily_metrics", "posts")
FILLFACTOR = 80


def upgrade() -> None:
    for table in REVISED_TABLES:
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    for table in REVISED_TABLES:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
