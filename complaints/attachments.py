"""Complaint attachments (issue 14 item 3): what a file may be, storing it with the case, deleting it.

A file is accepted when its extension is one of ALLOWED_TYPES, its first bytes (magic numbers) say
the same kind of file, and it is not larger than settings.COMPLAINT_ATTACHMENT_MAX_MB. The bytes are
read by `filetype` (a maintained, pure-Python signature table: no libmagic to install, so the SQLite
demo still runs on a bare machine, and it knows the recordings phones make: amr, m4a). The extension
alone would let a renamed .exe or .html through; the sniffed type alone would accept a name the
user's computer then opens with the wrong program.

Every upload and delete is a CaseEvent on the case's timeline and an auditlog entry (registered in
complaints.apps: crm, the ground floor, imports no other app).
"""

import datetime as dt
import pathlib

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.choices import ATTACHMENT_DELETE_ANY_ROLES, ATTACHMENT_ROLES, Action
from complaints.models import Case, CaseAttachment, CaseEvent
from complaints.services import CaseError
from crm.models import User
from crm.scoping import user_can_see_store

# extension -> the extensions filetype may report for it (its signature table names jpeg "jpg").
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    "jpg": frozenset({"jpg"}),
    "jpeg": frozenset({"jpg"}),
    "png": frozenset({"png"}),
    "heic": frozenset({"heic"}),
    "pdf": frozenset({"pdf"}),
    "mp3": frozenset({"mp3"}),
    "m4a": frozenset({"m4a", "mp4"}),  # phones write either brand in the ftyp box
    "wav": frozenset({"wav"}),
    "amr": frozenset({"amr"}),
}
SNIFF_BYTES = 8192


def attachment_max_bytes() -> int:
    return settings.COMPLAINT_ATTACHMENT_MAX_MB * 1024 * 1024


def attachment_check(upload: UploadedFile) -> str:
    """The sniffed MIME type of an acceptable file, or CaseError saying why it is refused."""
    extension = pathlib.Path(upload.name or "").suffix.lower().lstrip(".")
    if extension not in ALLOWED_TYPES:
        raise CaseError(
            _("不支持的文件类型“%(ext)s”：只接受 %(allowed)s。")
            % {"ext": extension or "?", "allowed": "、".join(ALLOWED_TYPES)}
        )
    if upload.size > attachment_max_bytes():
        raise CaseError(
            _("文件过大（%(size)s），上限为 %(max)s。")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(attachment_max_bytes())}
        )
    if not upload.size:
        raise CaseError(_("文件是空的。"))
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED_TYPES[extension]:
        raise CaseError(_("文件内容与扩展名“%(ext)s”不符，未上传。") % {"ext": extension})
    return kind.mime


def may_attach(*, case: Case, user: User) -> bool:
    return user.has_role(*ATTACHMENT_ROLES) and user_can_see_store(user, case.store_id)


def may_delete(*, attachment: CaseAttachment, user: User) -> bool:
    if not user_can_see_store(user, attachment.case.store_id):
        return False
    return user.has_role(*ATTACHMENT_DELETE_ANY_ROLES) or (
        attachment.uploaded_by_id == user.pk and user.has_role(*ATTACHMENT_ROLES)
    )


def attachment_upload(
    *, case: Case, user: User, upload: UploadedFile, note: str = "", now: dt.datetime | None = None
) -> CaseAttachment:
    """Check and store one file with the case (the caller found the case through cases_for_user)."""
    if not may_attach(case=case, user=user):
        raise CaseError(_("您无权为该投诉上传附件。"))
    mime = attachment_check(upload)
    now = now or timezone.now()
    name = pathlib.Path(upload.name).name[:200]
    with transaction.atomic():
        attachment = CaseAttachment(
            case=case,
            original_name=name,
            content_type=mime,
            size=upload.size,
            note=note,
            uploaded_at=now,
            uploaded_by=user,
        )
        attachment.file.save(name, upload, save=False)
        # The file is written before the row: a rolled-back row leaves an orphan file on disk,
        # never a row without its file.
        attachment.save()
        CaseEvent.objects.create(case=case, at=now, actor=user, action=Action.ATTACH, memo=_attachment_memo(attachment))
    return attachment


def attachment_delete(*, attachment: CaseAttachment, user: User, now: dt.datetime | None = None) -> None:
    if not may_delete(attachment=attachment, user=user):
        raise CaseError(_("您无权删除该附件。"))
    storage, path = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        CaseEvent.objects.create(
            case_id=attachment.case_id,
            at=now or timezone.now(),
            actor=user,
            action=Action.DETACH,
            memo=_attachment_memo(attachment),
        )
        attachment.delete()
        # The file goes once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(path))


def _attachment_memo(attachment: CaseAttachment) -> str:
    memo = f"{attachment.original_name}（{filesizeformat(attachment.size)}）"
    return f"{memo} {attachment.note}".strip() if attachment.note else memo


def case_attachments(*, case: Case) -> QuerySet[CaseAttachment]:
    return case.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")
