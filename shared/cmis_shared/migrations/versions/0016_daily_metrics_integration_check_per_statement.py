"""daily_metrics' reference to integrations checked once per statement, not once per row

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 14:50:00

A foreign key checks every inserted row on its own (a query per row, planned and run inside
the server); on a sync's batch of new daily metrics that was a third of the server's time,
for rows that all name the one integration being synced. The same rules now hold through
triggers that do the work once per statement:

- insert: an AFTER INSERT statement trigger reads the inserted rows' distinct integration
  ids (its transition table) and locks each FOR KEY SHARE, as the foreign key's check does,
  so an integration cannot be deleted under an unfinished insert; a missing one raises
  ``foreign_key_violation``.
- a changed ``integration_id`` (no service does it) is checked per row, as before: the
  trigger fires only for UPDATEs that set that column.
- delete of an integration: its daily metrics are deleted with it (was ON DELETE CASCADE);
  changing an integration's id while metrics name it fails (was NO ACTION).

Not kept: ``TRUNCATE integrations CASCADE`` no longer empties daily_metrics (nothing here
truncates).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOREIGN_KEY = "fk_daily_metrics_integration_id_integrations"

_FUNCTIONS = (
    """
CREATE FUNCTION cmis_daily_metrics_check_integrations() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing uuid;
BEGIN
    WITH named AS (SELECT DISTINCT integration_id AS id FROM named_rows),
         locked AS (SELECT i.id FROM integrations i JOIN named USING (id) FOR KEY SHARE OF i)
    SELECT id INTO missing FROM (SELECT id FROM named EXCEPT SELECT id FROM locked) AS gone
    LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('daily_metrics names integration %s, which does not exist', missing),
            TABLE = 'daily_metrics';
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION cmis_daily_metrics_check_changed_integration() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.integration_id IS DISTINCT FROM OLD.integration_id THEN
        PERFORM 1 FROM integrations WHERE id = NEW.integration_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE foreign_key_violation USING
                MESSAGE = format('daily_metrics names integration %s, which does not exist',
                                 NEW.integration_id),
                TABLE = 'daily_metrics';
        END IF;
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION cmis_integrations_delete_daily_metrics() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM daily_metrics WHERE integration_id = OLD.id;
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION cmis_integrations_keep_daily_metrics_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id
       AND EXISTS (SELECT 1 FROM daily_metrics WHERE integration_id = OLD.id) THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('integration %s still has daily_metrics', OLD.id),
            TABLE = 'integrations';
    END IF;
    RETURN NULL;
END
$$
""",
)

_TRIGGERS = (
    """CREATE TRIGGER daily_metrics_integrations_inserted AFTER INSERT ON daily_metrics
    REFERENCING NEW TABLE AS named_rows FOR EACH STATEMENT
    EXECUTE FUNCTION cmis_daily_metrics_check_integrations()""",
    """CREATE TRIGGER daily_metrics_integration_changed
    AFTER UPDATE OF integration_id ON daily_metrics FOR EACH ROW EXECUTE FUNCTION cmis_daily_metrics_check_changed_integration()""",
    """CREATE TRIGGER integrations_daily_metrics_deleted AFTER DELETE ON integrations
    FOR EACH ROW EXECUTE FUNCTION cmis_integrations_delete_daily_metrics()""",
    """CREATE TRIGGER integrations_daily_metrics_id_kept AFTER UPDATE OF id ON integrations
    FOR EACH ROW EXECUTE FUNCTION cmis_integrations_keep_daily_metrics_id()""",
)


def upgrade() -> None:
    op.execute(f"ALTER TABLE daily_metrics DROP CONSTRAINT {_FOREIGN_KEY}")
    for statement in (*_FUNCTIONS, *_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER integrations_daily_metrics_id_kept ON integrations")
    op.execute("DROP TRIGGER integrations_daily_metrics_deleted ON integrations")
    op.execute("DROP TRIGGER daily_metrics_integration_changed ON daily_metrics")
    op.execute("DROP TRIGGER daily_metrics_integrations_inserted ON daily_metrics")
    for function in (
        "cmis_integrations_keep_daily_metrics_id",
        "cmis_integrations_delete_daily_metrics",
        "cmis_daily_metrics_check_changed_integration",
        "cmis_daily_metrics_check_integrations",
    ):
        op.execute(f"DROP FUNCTION {function}()")
    op.execute(
        f"ALTER TABLE daily_metrics ADD CONSTRAINT {_FOREIGN_KEY} FOREIGN KEY (integration_id) "
        "REFERENCES integrations (id) ON DELETE CASCADE"
    )
