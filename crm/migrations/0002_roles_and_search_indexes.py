"""Create the seven role groups (SPEC §1) and the trigram indexes behind customer search.

Permissions are attached to the groups after every migrate by `crm.roles.sync_role_permissions`,
because permissions of models created in the same migrate run do not exist yet at this point.
"""

from django.db import migrations

ROLES = [
    "callback_agent",
    "reception",
    "cr_manager",
    "department_manager",
    "consultant",
    "general_manager",
    "administrator",
]

TRIGRAM_INDEXES = [
    ("crm_customer", "name", "customer_name_trgm"),
    ("crm_customer", "mobile", "customer_mobile_trgm"),
    ("crm_vehicle", "plate", "vehicle_plate_trgm"),
    ("crm_vehicle", "vin", "vehicle_vin_trgm"),
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def create_trigram_indexes(apps, schema_editor):
    # Substring search ("1234" in a mobile, "N123" in a plate) over 300,000 customers needs a
    # trigram GIN index; SQLite (the bare-machine demo) has none and scans instead.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in TRIGRAM_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
