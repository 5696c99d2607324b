"""Recordings move under MEDIA_ROOT/private/ (recording_path now puts new ones there): the
development server serves every MEDIA_URL path but private/, so a file left under recordings/ could
be fetched without logging in. Each stored file is copied to the same path under private/, the row
takes the new name, then the old file goes. Rerunnable: a moved row's name starts with private/."""

from django.core.files.storage import default_storage
from django.db import migrations

PRIVATE = "private/"


def move_recordings(apps, schema_editor):
    CallRecord = apps.get_model("telephony", "CallRecord")
    rows = CallRecord.objects.exclude(recording="").exclude(recording__startswith=PRIVATE)
    for record in rows.only("pk", "recording").iterator(chunk_size=500):
        old = record.recording.name
        if not default_storage.exists(old):
            continue  # no file to move (a restore without media): nothing to serve either
        with default_storage.open(old, "rb") as handle:
            new = default_storage.save(PRIVATE + old, handle)
        CallRecord.objects.filter(pk=record.pk).update(recording=new)
        default_storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("telephony", "0002_recording_rejected")]

    operations = [migrations.RunPython(move_recordings, migrations.RunPython.noop)]
