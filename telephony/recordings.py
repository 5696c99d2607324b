"""Call recordings (录音, seed 004: callbacks are recorded): uploaded by the agent or the CTI, or
fetched from the URL of the call's "ended" event; kept under MEDIA_ROOT/private/recordings/ through
Django's Storage API, and deleted after the store's retention period with an audit-log entry per file."""

from __future__ import annotations

import datetime as dt
import logging
import os
import urllib.error
import urllib.request
import uuid

from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Store, User
from telephony.choices import AUDIO_EXTENSIONS, Direction, RecordingState
from telephony.models import DEFAULT_RETENTION_MONTHS, CallRecord, StoreRecordingSettings

logger = logging.getLogger("telephony")

# Sent by browsers and CTIs for a file they cannot name; the extension then decides.
VAGUE_CONTENT_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


def _max_bytes() -> int:
    return settings.RECORDING_MAX_BYTES


def recording_content_type(*, filename: str, content_type: str) -> str:
    """The audio type to store and serve, or ValidationError: audio/* only (mp3, wav, m4a, amr, ...)."""
    ext = os.path.splitext(filename or "")[1].lower()
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared.startswith("audio/"):
        return declared[:50]
    if declared in VAGUE_CONTENT_TYPES and ext in AUDIO_EXTENSIONS:
        return AUDIO_EXTENSIONS[ext]
    message = _("录音必须是音频文件（mp3、wav、m4a、amr 等），收到的是 %(type)s。")
    raise ValidationError(message % {"type": declared or ext})


def _extension_for(content_type: str, filename: str) -> str:
    ext = os.path.splitext(filename or "")[1].lower()
    if ext in AUDIO_EXTENSIONS:
        return ext
    for known, kind in AUDIO_EXTENSIONS.items():
        if kind == content_type:
            return known
    return ".audio"


def _store_file(record: CallRecord, *, content: bytes, content_type: str, filename: str) -> None:
    record.recording.save(f"call{_extension_for(content_type, filename)}", ContentFile(content), save=False)
    record.recording_state = RecordingState.STORED
    record.recording_content_type = content_type
    record.recording_size = len(content)
    record.recording_stored_at = timezone.now()
    record.recording_error = ""
    record.save(
        update_fields=[
            "recording",
            "recording_state",
            "recording_content_type",
            "recording_size",
            "recording_stored_at",
            "recording_error",
        ]
    )


def _too_large() -> ValidationError:
    # filesizeformat: "500.0 KB" under a megabyte, "10.0 MB" above (never "0 MB").
    return ValidationError(_("录音文件超过 %(limit)s。") % {"limit": filesizeformat(_max_bytes())})


def recording_attach_upload(*, record: CallRecord, upload) -> CallRecord:
    """Store an uploaded file as the call's recording (replacing none: a stored one stays)."""
    if upload.size > _max_bytes():
        raise _too_large()
    content_type = recording_content_type(filename=upload.name, content_type=getattr(upload, "content_type", ""))
    if record.recording_state == RecordingState.STORED:
        raise ValidationError(_("该通话已有录音。"))
    content = upload.read(_max_bytes() + 1)
    if len(content) > _max_bytes():
        raise _too_large()
    _store_file(record, content=content, content_type=content_type, filename=upload.name)
    return record


def recording_attach_event_upload(*, record: CallRecord, upload) -> CallRecord:
    """The file the CTI posts with a call's "ended" event. A refused file must not cost the event
    (its end and talk time; a retry would be refused the same way): in a savepoint, and on refusal
    the call keeps its event and says 录音被拒收 with the reason, which the CTI reads in the answer.
    A call that has a recording already keeps it."""
    try:
        with transaction.atomic():
            recording_attach_upload(record=record, upload=upload)
    except ValidationError as exc:
        reason = "；".join(exc.messages)[:300]
        logger.warning("recording posted with call %s refused: %s", record.call_id, reason)
        if record.recording_state != RecordingState.STORED:
            record.recording_state, record.recording_error = RecordingState.REJECTED, reason
            record.save(update_fields=["recording_state", "recording_error"])
    return record


def recording_upload_for_task(*, user: User, upload, callback_task=None, outreach_task=None) -> CallRecord:
    """The agent's own file for the task on the call page (a handset that records locally): a call
    record of its own (call id `upload-…`), attached to the task and its customer."""
    task = callback_task or outreach_task
    with transaction.atomic():
        record = CallRecord.objects.create(
            call_id=f"upload-{uuid.uuid4().hex}",
            direction=Direction.OUTBOUND,
            store_id=task.store_id,
            agent=user,
            customer_id=task.customer_id,
            callback_task=callback_task,
            outreach_task=outreach_task,
            started_at=timezone.now(),
        )
        recording_attach_upload(record=record, upload=upload)
    return record


class _Refused(Exception):
    pass


def _download(url: str, limit: int, timeout: int) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"Accept": "audio/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type", "")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise _Refused(f"too large: {length} bytes (limit {limit})")
            recording_content_type(filename=url.split("?")[0], content_type=content_type)
            content = response.read(limit + 1)
    except ValidationError as exc:
        raise _Refused(f"not audio: {content_type or '?'}") from exc
    except urllib.error.HTTPError as exc:
        raise _Refused(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise _Refused(f"unreachable: {exc}") from exc
    if len(content) > limit:
        raise _Refused(f"too large: over {limit} bytes")
    return content, content_type


def recording_fetch(*, record_id: int) -> bool:
    """Download a pending recording from its event's URL (the Celery task). Safe to run twice: the
    download happens outside any transaction, then the row is locked and only a still-pending row
    takes the file; a refused file (size, type, HTTP error) marks the call failed with the reason."""
    record = CallRecord.objects.filter(pk=record_id, recording_state=RecordingState.PENDING).first()
    if record is None:
        return False
    try:
        content, content_type = _download(record.recording_url, _max_bytes(), settings.RECORDING_FETCH_TIMEOUT)
        content_type = recording_content_type(filename=record.recording_url.split("?")[0], content_type=content_type)
    except _Refused as exc:
        logger.warning("recording of call %s refused: %s", record.call_id, exc)
        CallRecord.objects.filter(pk=record_id, recording_state=RecordingState.PENDING).update(
            recording_state=RecordingState.FAILED, recording_error=str(exc)[:300]
        )
        return False
    with transaction.atomic():
        record = CallRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None or record.recording_state != RecordingState.PENDING:
            return False
        _store_file(record, content=content, content_type=content_type, filename=record.recording_url.split("?")[0])
    return True


def recordings_pending_ids(*, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> list[int]:
    """Pending downloads whose queued task was lost (broker restart): the beat queues them again."""
    cutoff = timezone.now() - older_than
    return list(
        CallRecord.objects.filter(recording_state=RecordingState.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )


def retention_months_by_store() -> dict[int, int]:
    return dict(StoreRecordingSettings.objects.values_list("store_id", "retention_months"))


# Ids read per query; the purge reads batch after batch until a store has none left, so a backlog
# (a lowered retention period, nights the beat missed) clears in one run without one huge list.
PURGE_BATCH = 1000


def recordings_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the recordings older than their store's retention period (default 24 months): the file
    from storage, the call keeps its row (talk time, who, when) marked 已过期删除, and one audit-log
    entry says which file went and why. Every expired file goes in one run, in batches of
    PURGE_BATCH (keyset by id, so each batch moves on). Safe to run twice: a purged call is no
    longer 'stored'; each file is its own transaction, so an interrupted run keeps what it did."""
    now = now or timezone.now()
    months = retention_months_by_store()
    deleted = 0
    store_ids = [None, *Store.objects.values_list("pk", flat=True)]
    for store_id in store_ids:
        cutoff = now - relativedelta(months=months.get(store_id, DEFAULT_RETENTION_MONTHS))
        expired = CallRecord.objects.filter(
            store_id=store_id, recording_state=RecordingState.STORED, started_at__lt=cutoff
        ).order_by("pk")
        last_id = 0
        while batch := list(expired.filter(pk__gt=last_id).values_list("pk", flat=True)[:PURGE_BATCH]):
            for record_id in batch:
                deleted += _purge_one(record_id, cutoff)
            last_id = batch[-1]
    return deleted


def _purge_one(record_id: int, cutoff: dt.datetime) -> int:
    with transaction.atomic():
        stored = CallRecord.objects.select_for_update().filter(recording_state=RecordingState.STORED)
        record = stored.filter(pk=record_id).first()
        if record is None:
            return 0
        name = record.recording.name
        if name:
            record.recording.storage.delete(name)
        record.recording = ""
        record.recording_state = RecordingState.DELETED
        record.save(update_fields=["recording", "recording_state"])
        LogEntry.objects.log_create(
            record,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"recording": [name, ""]},
            additional_data={"deleted_file": name, "reason": "retention", "cutoff": cutoff.isoformat()},
        )
    return 1
