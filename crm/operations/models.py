"""The last sign of life of each background process (imported by crm.models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceHeartbeat(models.Model):
    """The last heartbeat (心跳) of Celery beat (`beat`) or of one worker (`worker:<hostname>`).

    Kept in the database rather than in Redis so that /healthz can tell "the broker is down" from
    "the workers are dead"; each process writes its row at most every 30 s, one UPSERT."""

    name = models.CharField(_("进程"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("最后心跳"))

    class Meta:
        verbose_name = _("进程心跳")
        verbose_name_plural = _("进程心跳")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
