"""Recordings move under MEDIA_ROOT/private/ (recording_path now puts new ones there): the
development server serves every MEDIA_URL path but private/, so a file left under recordings/ could
be fetched without logging in. Each stored file is copied to the same path under private/, the row
takes the new name in its own transaction, then the old file goes.

Not atomic as a whole (atomic = False): files are no part of a transaction, so one transaction
around every row would roll the names back on a failure mid-way while the old files of the rows
already done were deleted. One row at a time, the old file deleted only once its row is committed.
Rerunnable: a moved row's name starts with private/; a row whose old file is gone but whose
private/ copy exists (a run of the earlier, all-in-one-transaction version that failed after
deleting old files: its updates rolled back) adopts that copy; a row with both files is copied
again over its private/ copy, which may have been cut short. The private/ path of an old name is
the row's own (recording_path gives the same path for the same call)."""

from django.core.files.storage import default_storage
from django.db import migrations, transaction

PRIVATE = "private/"


def move_recordings(apps, schema_editor):
    CallRecord = apps.get_model("telephony", "CallRecord")
    rows = CallRecord.objects.exclude(recording="").exclude(recording__startswith=PRIVATE)
    # The ids first: each row is then its own transaction, and no server-side cursor stays open
    # across the commits.
    for pk, old in list(rows.order_by("pk").values_list("pk", "recording")):
        if default_storage.exists(old):
            if default_storage.exists(PRIVATE + old):
                # This row's copy from a run that stopped before its update, maybe cut short: made
                # again from the old file (save() would otherwise add a suffix beside it).
                default_storage.delete(PRIVATE + old)
            with default_storage.open(old, "rb") as handle:
                new = default_storage.save(PRIVATE + old, handle)
        elif default_storage.exists(PRIVATE + old):
            new = None  # copied by an earlier run that stopped before the row's update: adopt it
        else:
            continue  # no file to move (a restore without media): nothing to serve either
        with transaction.atomic():
            CallRecord.objects.filter(pk=pk, recording=old).update(recording=new or PRIVATE + old)
        if new is not None:
            default_storage.delete(old)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("telephony", "0002_recording_rejected")]

    operations = [migrations.RunPython(move_recordings, migrations.RunPython.noop, atomic=False)]
