"""In-app notifications (站内通知) with the bell's unread count, each e-mailed once (SPEC §8)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.choices import render_title


class Notification(models.Model):
    """A message to one user. `dedup_key` makes each notification exist once per recipient, so a
    timer sweep that runs twice (or two overlapping sweeps) cannot notify twice."""

    # No index of its own: the unique (recipient, dedup_key) and the unread index both start with it,
    # and a sweep inserts tens of thousands of rows at once.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # What the text says, for the reader's language: the kind's msgid (complaints.choices
    # NOTIFICATION_TITLES) with these parameters. `title` keeps the text as written when the row was
    # made (Chinese), shown for rows without parameters (made before they were stored).
    params = models.JSONField(_("参数"), default=dict, blank=True)
    dedup_key = models.CharField(_("去重键"), max_length=200)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    # Still to be e-mailed: the row state the beat sweep reads when the after-commit task was never
    # queued (broker down) or the mail server was unreachable (crm.tasking).
    email_pending = models.BooleanField(_("待发邮件"), default=False, db_default=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedup_key"], name="notification_once_per_recipient")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # Small: only the rows still to e-mail, which the sweep reads.
            models.Index(fields=["id"], condition=models.Q(email_pending=True), name="notification_email_pending_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the active language (the bell, the list, the e-mail); rows stored before kinds
        had parameters show their stored (Chinese) title."""
        return render_title(self.kind, self.params) or self.title
