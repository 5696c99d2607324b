"""Give the SLA notifications made before kinds had parameters their case number (issue 13 item 12),
so that they too are shown in the reader's language. Their dedup key is `case:<id>:<alert>`; a row
whose case is gone keeps showing its stored (Chinese) title."""

from django.db import migrations

SLA_KINDS = ("complaint_yellow", "complaint_red", "complaint_dispatch_overdue", "complaint_feedback_overdue")
BATCH = 5000


def backfill(apps, schema_editor):
    Notification = apps.get_model("complaints", "Notification")
    Case = apps.get_model("complaints", "Case")
    pending = Notification.objects.filter(kind__in=SLA_KINDS, params={}, dedup_key__startswith="case:")
    last = 0
    while batch := list(pending.filter(pk__gt=last).order_by("pk").only("pk", "dedup_key")[:BATCH]):
        last = batch[-1].pk
        case_of = {}
        for note in batch:
            parts = note.dedup_key.split(":")
            if len(parts) == 3 and parts[1].isdigit():
                case_of[note.pk] = int(parts[1])
        numbers = dict(Case.objects.filter(pk__in=set(case_of.values())).values_list("pk", "case_no"))
        changed = []
        for note in batch:
            number = numbers.get(case_of.get(note.pk))
            if number:
                note.params = {"no": number}
                changed.append(note)
        Notification.objects.bulk_update(changed, ["params"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_notification_kind_params"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
