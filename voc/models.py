"""The voice of the customer (客户之声, VOC; seed 004): every verbatim a customer said, segmented into
words and tagged with the topics of an editable list.

`VocTopic` is the list (等待时间, 价格, 洗车 …) with its keywords. `VocEntry` is one verbatim — a
questionnaire text answer, a call note, an outreach record, a hot alert's reasons, a complaint's
content and demand — with the store, month, department and staff it is counted under. One row per
source row (a uniqueness constraint), so tagging is safe to run twice. `VocMention` is one keyword
of one topic found in an entry, with the entry's store, month, department and staff copied so that
the VOC page counts from this one table. `VocCursor` is the incremental run's high-water mark per
source.
"""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import DepartmentKind
from voc.choices import Polarity, VocSource

_KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split_keywords(text: str) -> list[str]:
    """A topic's keywords as typed (one a line, or separated by 、 ， ; or spaces), each once, in order."""
    seen: dict[str, None] = {}
    for word in _KEYWORD_SEPARATORS.split(text or ""):
        if word:
            seen.setdefault(word.lower(), None)
    return list(seen)


class VocTopic(models.Model):
    """A VOC topic (客户之声话题) and the keywords that tag a verbatim with it."""

    name = models.CharField(_("话题"), max_length=30, unique=True)
    keywords = models.TextField(_("关键词"), help_text=_("每行一个，或用顿号、逗号分隔"))
    department = models.CharField(
        _("责任部门"),
        max_length=20,
        choices=DepartmentKind.choices,
        blank=True,
        help_text=_("该话题通常归哪个部门改善"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("VOC话题")
        verbose_name_plural = _("VOC话题")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


class VocEntry(models.Model):
    """One verbatim (客户原话) with its words, polarity and — for a suggestion that asks for something —
    its feedback call (seed 003: a suggestion gets a call back telling the customer what was done)."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("来源"), max_length=20, choices=VocSource.choices)
    source_id = models.BigIntegerField(_("来源编号"))
    said_at = models.DateTimeField(_("时间"))
    month = models.DateField(_("月份"))
    department = models.CharField(_("部门"), max_length=20, choices=DepartmentKind.choices, blank=True)
    staff = models.ForeignKey(
        "crm.Staff", verbose_name=_("相关员工"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("客户"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("原话"))
    words = models.JSONField(_("分词"), default=list)
    polarity = models.SmallIntegerField(_("倾向"), choices=Polarity.choices, default=Polarity.NEUTRAL)
    needs_feedback = models.BooleanField(_("需反馈"), default=False)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feedback_note = models.TextField(_("反馈记录"), blank=True)
    # The store adopted the suggestion (建议被采纳), said on its feedback call; a member earns points.
    adopted = models.BooleanField(_("建议已采纳"), default=False)
    tagged_at = models.DateTimeField(_("标注时间"))

    class Meta:
        verbose_name = _("客户原话")
        verbose_name_plural = _("客户原话")
        ordering = ["-said_at", "-id"]
        permissions = [("record_feedback_vocentry", _("登记建议反馈回访"))]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="voc_entry_unique_source")]
        indexes = [
            models.Index(fields=["store", "month"], name="voc_entry_store_month_idx"),
            models.Index(
                fields=["store", "said_at"], condition=models.Q(needs_feedback=True), name="voc_entry_feedback_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.source_id}"


class VocMention(models.Model):
    """One keyword of one topic found in an entry, with the polarity of the clause it stood in."""

    entry = models.ForeignKey(VocEntry, verbose_name=_("客户原话"), on_delete=models.CASCADE, related_name="mentions")
    topic = models.ForeignKey(VocTopic, verbose_name=_("话题"), on_delete=models.CASCADE, related_name="mentions")
    keyword = models.CharField(_("关键词"), max_length=30)
    polarity = models.SmallIntegerField(_("倾向"), choices=Polarity.choices, default=Polarity.NEUTRAL)
    # The entry's, copied so that the page's counts read this table alone.
    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    department = models.CharField(_("部门"), max_length=20, choices=DepartmentKind.choices, blank=True)
    staff = models.ForeignKey(
        "crm.Staff", verbose_name=_("相关员工"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("VOC话题命中")
        verbose_name_plural = _("VOC话题命中")
        constraints = [models.UniqueConstraint(fields=["entry", "topic", "keyword"], name="voc_mention_unique_keyword")]
        indexes = [models.Index(fields=["store", "month", "topic"], name="voc_mention_store_month_idx")]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.keyword}"


class VocCursor(models.Model):
    """The incremental tagging's progress per source (a record per source).

    An id is given when a row is inserted, not when it commits: a row inserted before its neighbour
    may become visible after the run that read the neighbour. So `last_id` is only the high-water
    mark of what runs have read; `settled_id` is the id below which every row is known read — the
    high-water mark of a run at least `voc.services.LATE_COMMIT_WINDOW` old. Each run reads again the
    rows between the two that have no entry yet. `marks` are the recent runs' [time, high-water]."""

    source = models.CharField(_("来源"), max_length=20, choices=VocSource.choices, unique=True)
    last_id = models.BigIntegerField(_("最后编号"), default=0)
    settled_id = models.BigIntegerField(_("已确认编号"), default=0)
    marks = models.JSONField(_("近期运行记录"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("VOC标注进度")
        verbose_name_plural = _("VOC标注进度")

    def __str__(self) -> str:
        return f"{self.source} {self.last_id}"
