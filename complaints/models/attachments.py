"""Complaint attachments (投诉附件): photos, letters and recordings kept with a case (issue 14 item 3).

The files live under MEDIA_ROOT in `private/`, a folder no URL serves (config/urls.py leaves it out
of the development media route; production serves no media from the app): the only way to read one
is `complaints:attachment_download`, which checks that the user may see the case."""

import pathlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.cases import Case

PRIVATE_DIR = "private"


def attachment_path(instance: "CaseAttachment", filename: str) -> str:
    """private/complaints/<store>/<yyyy>/<random>.<ext>: a name nobody can guess, never the uploader's."""
    suffix = pathlib.Path(filename).suffix.lower()
    return f"{PRIVATE_DIR}/complaints/{instance.case.store_id}/{instance.uploaded_at:%Y}/{uuid.uuid4().hex}{suffix}"


class CaseAttachment(models.Model):
    """A file kept with a complaint case: a photo, a letter, a recording of the call."""

    case = models.ForeignKey(Case, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind(self) -> str:
        """photo / document / audio, from the sniffed type: the icon and the label on the case page."""
        head = self.content_type.split("/")[0]
        return {"image": "photo", "audio": "audio"}.get(head, "document")
