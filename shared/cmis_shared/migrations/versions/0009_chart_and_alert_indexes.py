"""indexes for the chart and table routes; alert acknowledgement and snooze

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30 09:00:00

The API's list routes filter and page on these columns (the cursor is the sort key plus the
id, so each page is one index range scan, not an offset):

- campaigns by organization with platform and status filters, paged by name;
- posts by organization and platform, newest first;
- alerts by organization and status, newest first (type and severity filter the range).

Alerts gain who acknowledged them and until when they are snoozed: alerting (their only
writer) sets both when it applies a user's command, and stays silent about an acknowledged
or snoozed alert until the snooze ends.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_campaigns_org_id_platform_status_name",
        "campaigns",
        ["org_id", "platform", "status", "name", "id"],
    )
    op.create_index("ix_campaigns_org_id_name_id", "campaigns", ["org_id", "name", "id"])
    op.execute(
        "CREATE INDEX ix_posts_org_id_platform_published_at "
        "ON posts (org_id, platform, published_at DESC, id DESC)"
    )
    op.execute(
        "CREATE INDEX ix_alerts_org_id_status_last_seen_at "
        "ON alerts (org_id, status, last_seen_at DESC, id DESC)"
    )
    op.add_column("alerts", sa.Column("acknowledged_at", sa.DateTime(timezone=True)))
    op.add_column("alerts", sa.Column("acknowledged_by", sa.String(320)))
    op.add_column("alerts", sa.Column("snoozed_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("alerts", "snoozed_until")
    op.drop_column("alerts", "acknowledged_by")
    op.drop_column("alerts", "acknowledged_at")
    op.drop_index("ix_alerts_org_id_status_last_seen_at", table_name="alerts")
    op.drop_index("ix_posts_org_id_platform_published_at", table_name="posts")
    op.drop_index("ix_campaigns_org_id_name_id", table_name="campaigns")
    op.drop_index("ix_campaigns_org_id_platform_status_name", table_name="campaigns")
