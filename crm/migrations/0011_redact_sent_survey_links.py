"""Survey-link SMS logged before body_redacted existed still show their live token on the outbox,
the customer timeline and the API (SmsMessage.shown_body falls back to body). Give each its
redacted copy, and blank the token in the body of every one that has left the outbox; a queued
one keeps its body until it goes (the gateway must get the live link), shown redacted meanwhile."""

import re

from django.db import migrations

# surveylink.services.REDACTED_TOKEN and the /s/<token>/ path, as they were when this was written.
TOKEN_IN_LINK = re.compile(r"/s/[A-Za-z0-9_-]+/")
REDACTED = "/s/****/"
IN_OUTBOX = ("queued", "sending")


def redact(apps, schema_editor):
    SmsMessage = apps.get_model("crm", "SmsMessage")
    rows = SmsMessage.objects.filter(reason="survey_link", body_redacted="").only("id", "body", "status")
    for message in rows.iterator(chunk_size=500):
        redacted = TOKEN_IN_LINK.sub(REDACTED, message.body)
        body = message.body if message.status in IN_OUTBOX else redacted
        SmsMessage.objects.filter(pk=message.pk).update(body_redacted=redacted, body=body)


class Migration(migrations.Migration):
    dependencies = [("crm", "0010_sms_reason_appointment_change")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
