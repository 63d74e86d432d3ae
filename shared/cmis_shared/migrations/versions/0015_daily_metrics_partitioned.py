"""daily_metrics partitioned by month (existing rows moved)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 12:30:00

The table every sync writes and every chart reads grows by a row per campaign and day. By
month, each partition's indexes stay small enough to be cached while it is written (new
rows are mostly this month's), old months can be detached or dropped whole, and the charts'
day ranges read only the months they cover.

The primary key ``(integration_id, campaign_external_id, day)`` already holds the partition
key, so it stays the key of every ``ON CONFLICT`` upsert. Partitions are created by
``cmis_ensure_daily_metrics_partitions(first, last)`` (months ahead by the scheduler's
maintenance pass); a DEFAULT partition takes any day outside them, and the function moves
such rows into a month's partition when it creates it.

Steps: rename the plain table away, create the partitioned one under the name, create the
months the data covers (at least the last three years) and three ahead, move the rows, drop
the old table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILLFACTOR = 80  # as 0002 set on the plain table: room for in-place (HOT) revisions

_COLUMNS = """
    integration_id uuid NOT NULL,
    campaign_external_id varchar(100) NOT NULL,
    day date NOT NULL,
    org_id uuid NOT NULL,
    currency varchar(3) NOT NULL,
    impressions bigint NOT NULL,
    clicks bigint NOT NULL,
    spend numeric(20, 6) NOT NULL,
    conversions numeric(20, 6) NOT NULL,
    conversion_value numeric(20, 6) NOT NULL,
    synced_at timestamptz NOT NULL DEFAULT now()
"""

_ENSURE = f"""
CREATE OR REPLACE FUNCTION cmis_ensure_daily_metrics_partitions(first date, last date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    month date := date_trunc('month', first)::date;
    created integer := 0;
    name text;
BEGIN
    WHILE month <= last LOOP
        name := 'daily_metrics_' || to_char(month, 'YYYY_MM');
        IF to_regclass(name) IS NULL THEN
            -- Rows of this month that went to the DEFAULT partition move in with it (ATTACH
            -- would otherwise fail on them).
            EXECUTE format(
                'CREATE TABLE %I (LIKE daily_metrics INCLUDING DEFAULTS) '
                'WITH (fillfactor = {FILLFACTOR})', name);
            EXECUTE format(
                'WITH moved AS (DELETE FROM daily_metrics_default WHERE day >= %L AND day < %L '
                'RETURNING *) INSERT INTO %I SELECT * FROM moved',
                month, (month + interval '1 month')::date, name);
            EXECUTE format(
                'ALTER TABLE daily_metrics ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                name, month, (month + interval '1 month')::date);
            created := created + 1;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN created;
END
$$
"""


def _create_table(storage: str) -> None:
    """``daily_metrics`` with its key, foreign key and index (``storage``: partitioned or
    plain)."""
    op.execute(
        f"""
        CREATE TABLE daily_metrics ({_COLUMNS},
            CONSTRAINT pk_daily_metrics PRIMARY KEY (integration_id, campaign_external_id, day),
            CONSTRAINT fk_daily_metrics_integration_id_integrations FOREIGN KEY (integration_id)
                REFERENCES integrations (id) ON DELETE CASCADE
        ) {storage}
        """
    )
    op.execute("CREATE INDEX ix_daily_metrics_org_id_day ON daily_metrics (org_id, day)")


def upgrade() -> None:
    op.execute("ALTER TABLE daily_metrics RENAME TO daily_metrics_unpartitioned")
    op.execute(
        "ALTER TABLE daily_metrics_unpartitioned "
        "RENAME CONSTRAINT pk_daily_metrics TO pk_daily_metrics_unpartitioned"
    )
    op.execute(
        "ALTER TABLE daily_metrics_unpartitioned RENAME CONSTRAINT "
        "fk_daily_metrics_integration_id_integrations TO fk_daily_metrics_unpartitioned"
    )
    op.execute("ALTER INDEX ix_daily_metrics_org_id_day RENAME TO ix_daily_metrics_unpartitioned")
    _create_table("PARTITION BY RANGE (day)")
    op.execute(
        "CREATE TABLE daily_metrics_default PARTITION OF daily_metrics DEFAULT "
        f"WITH (fillfactor = {FILLFACTOR})"
    )
    op.execute(_ENSURE)
    op.execute(
        """
        SELECT cmis_ensure_daily_metrics_partitions(
            least((SELECT min(day) FROM daily_metrics_unpartitioned),
                  (current_date - interval '3 years')::date),
            greatest((SELECT max(day) FROM daily_metrics_unpartitioned),
                     (current_date + interval '3 months')::date))
        """
    )
    op.execute(
        "INSERT INTO daily_metrics SELECT integration_id, campaign_external_id, day, org_id, "
        "currency, impressions, clicks, spend, conversions, conversion_value, synced_at "
        "FROM daily_metrics_unpartitioned"
    )
    op.execute("DROP TABLE daily_metrics_unpartitioned")
    op.execute("ANALYZE daily_metrics")


def downgrade() -> None:
    op.execute("ALTER TABLE daily_metrics RENAME TO daily_metrics_partitioned")
    op.execute(
        "ALTER TABLE daily_metrics_partitioned "
        "RENAME CONSTRAINT pk_daily_metrics TO pk_daily_metrics_partitioned"
    )
    op.execute(
        "ALTER TABLE daily_metrics_partitioned RENAME CONSTRAINT "
        "fk_daily_metrics_integration_id_integrations TO fk_daily_metrics_partitioned"
    )
    op.execute("ALTER INDEX ix_daily_metrics_org_id_day RENAME TO ix_daily_metrics_partitioned")
    _create_table(f"WITH (fillfactor = {FILLFACTOR})")
    op.execute(
        "INSERT INTO daily_metrics SELECT integration_id, campaign_external_id, day, org_id, "
        "currency, impressions, clicks, spend, conversions, conversion_value, synced_at "
        "FROM daily_metrics_partitioned"
    )
    op.execute("DROP TABLE daily_metrics_partitioned")  # its partitions go with it
    op.execute("DROP FUNCTION cmis_ensure_daily_metrics_partitions(date, date)")
