import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import ImportOutcome, ImportStatus, import_counts, import_outcome

from .organisation import Store


class ImportJob(models.Model):
    """One DMS import run (a web upload or a command), with its progress and per-sheet summary.

    A record per background run (NetBox's Job): the upload page polls it for the progress bar.
    """

    store = models.ForeignKey(
        Store, verbose_name=_("默认门店"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    # {"deliveries": {"created": n, "updated": n, "unchanged": n, "errors": n}, ...}
    summary = models.JSONField(_("汇总"), default=dict, blank=True)
    error_file = models.FileField(_("错误报告"), upload_to="imports/errors/%Y/%m/", blank=True)
    # The first PROBLEMS_SHOWN bad rows and dropped values, for the result page (the error report
    # has them all): [{"sheet", "row", "column", "reason", "ignored"}, ...]
    problems = models.JSONField(_("导入问题"), default=list, blank=True)
    message = models.TextField(_("信息"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The running worker's lease: written when the job is claimed and after every batch. A running
    # job whose heartbeat is older than IMPORT_STALE_AFTER lost its worker (killed, OOM, restart);
    # the beat sweep queues it again and the next run claims it and imports the file again.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    resumed_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)

    PROBLEMS_SHOWN = 200

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def waiting_for_queue(self) -> bool:
        """Pending for over a minute: the broker was down at upload time, or workers are busy; the
        beat sweep queues it again (crm.services.import_jobs_requeue)."""
        return self.status == ImportStatus.PENDING and self.created_at < timezone.now() - datetime.timedelta(minutes=1)

    @property
    def error_total(self) -> int:
        return import_counts(self.summary or {})[1]

    @property
    def warning_total(self) -> int:
        return sum(sheet.get("warnings", 0) for sheet in (self.summary or {}).values())

    @property
    def imported_total(self) -> int:
        """Rows the run created, updated or found unchanged."""
        return import_counts(self.summary or {})[0]

    @property
    def outcome(self) -> ImportOutcome:
        """Done, done with errors or failed, as the pages show it (crm.choices.import_outcome)."""
        return import_outcome(status=self.status, summary=self.summary or {})
