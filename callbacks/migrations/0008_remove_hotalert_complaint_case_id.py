from django.db import migrations


class Migration(migrations.Migration):
    """A hot alert's case is `alert.complaint_cases` now (complaints 0011 carried the ids over)."""

    dependencies = [
        ("callbacks", "0007_fill_task_last_disposition"),
        ("complaints", "0011_case_links_are_foreign_keys"),
    ]

    operations = [migrations.RemoveField(model_name="hotalert", name="complaint_case_id")]
