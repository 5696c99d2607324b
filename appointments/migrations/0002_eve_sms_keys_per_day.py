"""The day-before SMS is now logged per booking and day (`appointment:<id>:<YYYY-MM-DD>`). Give the
reminders already sent under the old key (`appointment:<id>`) the day they were for — the day after
the one they were queued on, which is what the eve sweep sends — so a rerun of the sweep does not
send them again, and a booking moved since still gets a reminder for its new day."""

import datetime as dt
import re

from django.db import migrations
from django.utils import timezone

OLD_KEY = re.compile(r"^appointment:\d+$")


def forwards(apps, schema_editor):
    SmsMessage = apps.get_model("crm", "SmsMessage")
    rows = SmsMessage.objects.filter(reason="appointment_eve", related_key__regex=r"^appointment:[0-9]+$")
    for message in rows.only("id", "related_key", "queued_at").iterator(chunk_size=500):
        if not OLD_KEY.match(message.related_key):
            continue
        day = timezone.localdate(message.queued_at) + dt.timedelta(days=1)
        SmsMessage.objects.filter(pk=message.pk).update(related_key=f"{message.related_key}:{day.isoformat()}")


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_initial"),
        ("crm", "0010_sms_reason_appointment_change"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
