"""complaints_case keeps a fifth of each page free (fillfactor 80).

The SLA sweep stamps an `*_alerted_at` marker on thousands of cases at a time. The markers are in
no index, so with room on the page PostgreSQL updates the row in place (a HOT update) instead of
writing a new entry into each of the table's sixteen indexes. Only pages written from now on are
affected; `VACUUM FULL complaints_case` rewrites the existing ones.
"""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE complaints_case SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE complaints_case RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_cases")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
