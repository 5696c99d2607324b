"""The points ledger is append-only in the database too (PostgreSQL only: make run's SQLite relies on
the model's and queryset's guards). A row-level trigger refuses DELETE and any UPDATE except the
author's removal by ON DELETE SET NULL of his user; TRUNCATE (the test suite's flush) fires no row
trigger."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION club_pointentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND ROW(NEW.id, NEW.card_id, NEW.kind, NEW.points, NEW.repair_order_id, NEW.activity_id,
               NEW.suggestion_id, NEW.reason, NEW.created_at)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.card_id, OLD.kind, OLD.points, OLD.repair_order_id, OLD.activity_id,
               OLD.suggestion_id, OLD.reason, OLD.created_at)
       AND NEW.created_by_id IS NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'club_pointentry is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS club_pointentry_append_only ON club_pointentry;
CREATE TRIGGER club_pointentry_append_only BEFORE UPDATE OR DELETE ON club_pointentry
    FOR EACH ROW EXECUTE FUNCTION club_pointentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS club_pointentry_append_only ON club_pointentry;
DROP FUNCTION IF EXISTS club_pointentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("club", "0004_card_chain_start_and_lapses")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
