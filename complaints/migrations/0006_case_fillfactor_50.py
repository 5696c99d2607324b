"""complaints_case keeps half of each page free (fillfactor 50, was 80).

The first SLA sweep over a backlog stamps markers (and, at 48 h, the escalation level) on a third
of all cases at once. With a fifth of the page free only about half of those writes fit on their
page as HOT updates; the rest wrote a new entry into each of the table's indexes, and the sweep
over the SPEC §12 backlog took 2.0–2.2 s. With half the page free every one of them was a HOT
update (16,108 of 16,108) and the sweep took 1.1–1.2 s. The table holds tens of thousands of rows:
twice its size on disk costs nothing that matters. Pages written before stay as they are until
`VACUUM FULL complaints_case`.
"""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE complaints_case SET (fillfactor = 50)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE complaints_case SET (fillfactor = 80)")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_sweep_writes_fewer_indexes")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
