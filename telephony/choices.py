"""Enumerations of the telephone system (CTI): call directions, CTI events, recording states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUTBOUND = "out", _("呼出")
    INBOUND = "in", _("呼入")


class CallEventKind(models.TextChoices):
    RINGING = "ringing", _("振铃")
    ANSWERED = "answered", _("接通")
    ENDED = "ended", _("挂断")


class RecordingState(models.TextChoices):
    NONE = "", _("无录音")
    PENDING = "pending", _("待下载")
    STORED = "stored", _("已保存")
    FAILED = "failed", _("下载失败")
    # A file posted with the "ended" event that we refused (too large, not audio): the event stands.
    REJECTED = "rejected", _("录音被拒收")
    DELETED = "deleted", _("已过期删除")


class DialStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


# Recordings the CTI or an agent may hand us (seed 004: every callback is recorded). The extension
# decides when the content type is vague (application/octet-stream from a file upload).
AUDIO_EXTENSIONS = {
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".amr": "audio/amr",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".aac": "audio/aac",
    ".webm": "audio/webm",
}
