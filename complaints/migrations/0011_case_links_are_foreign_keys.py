"""Case.hot_alert_id / source_task_id were plain integers; they become ForeignKeys to callbacks
(complaints' one link to callbacks; complaints' code imports nothing of callbacks). Ids are kept; an id whose alert or task no longer
exists becomes NULL. A hot alert's own `complaint_case_id` (set only by the demo) is carried onto the
case it named, then dropped by callbacks 0008."""

import django.db.models.deletion
from django.db import migrations, models


def carry_links(apps, schema_editor):
    Case = apps.get_model("complaints", "Case")
    HotAlert = apps.get_model("callbacks", "HotAlert")
    CallbackTask = apps.get_model("callbacks", "CallbackTask")
    alert_ids = set(HotAlert.objects.values_list("pk", flat=True))
    task_ids = set(CallbackTask.objects.values_list("pk", flat=True))
    for case in Case.objects.exclude(old_hot_alert_id=None, old_source_task_id=None).only(
        "pk", "old_hot_alert_id", "old_source_task_id"
    ):
        Case.objects.filter(pk=case.pk).update(
            hot_alert_id=case.old_hot_alert_id if case.old_hot_alert_id in alert_ids else None,
            source_task_id=case.old_source_task_id if case.old_source_task_id in task_ids else None,
        )
    for alert_id, case_id, task_id in HotAlert.objects.exclude(complaint_case_id=None).values_list(
        "pk", "complaint_case_id", "task_id"
    ):
        Case.objects.filter(pk=case_id, hot_alert_id=None).update(hot_alert_id=alert_id, source_task_id=task_id)


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0007_fill_task_last_disposition"),
        ("complaints", "0010_case_contact_and_handler_level"),
    ]

    operations = [
        migrations.RenameField("case", "hot_alert_id", "old_hot_alert_id"),
        migrations.RenameField("case", "source_task_id", "old_source_task_id"),
        migrations.AddField(
            model_name="case",
            name="hot_alert",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="complaint_cases",
                to="callbacks.hotalert",
                verbose_name="热点预警",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="source_task",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="complaint_cases",
                to="callbacks.callbacktask",
                verbose_name="来源回访任务",
            ),
        ),
        migrations.RunPython(carry_links, migrations.RunPython.noop),
        migrations.RemoveField("case", "old_hot_alert_id"),
        migrations.RemoveField("case", "old_source_task_id"),
    ]
