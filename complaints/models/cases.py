"""Complaint cases (投诉案例, SPEC §8, seed 001 tables 5–6) and their timeline (处理记录)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import (
    Action,
    CaseState,
    Category,
    Channel,
    EscalationLevel,
    FinalResult,
    Level,
    Responsibility,
)
from crm.choices import Role
from crm.models import Customer, Department, Store, Vehicle


class CaseCounter(models.Model):
    """The last sequence number used per store and day; locked with SELECT … FOR UPDATE so that
    two intakes at the same moment never get the same 受理编号."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("投诉编号计数器")
        verbose_name_plural = _("投诉编号计数器")
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="case_counter_unique_store_day")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} #{self.last}"


class Case(models.Model):
    """A complaint case (投诉). Its SLA due times are stored when it is received or dispatched, so
    that business hours cost nothing when lists colour and sort thousands of cases."""

    case_no = models.CharField(_("受理编号"), max_length=40, unique=True)
    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="complaint_cases")
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="complaint_cases"
    )
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("车辆"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    is_repeat = models.BooleanField(_("再次投诉"), default=False)
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("关联前次投诉"), null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    category = models.CharField(_("投诉类别"), max_length=20, choices=Category.choices)
    level = models.CharField(_("投诉等级"), max_length=1, choices=Level.choices)
    content = models.TextField(_("投诉内容（客户原话）"))
    demand = models.TextField(_("客户要求"), blank=True)
    # 5W2H facts (seed 002): when, where, what happened, customer's view, basis, why, what they want.
    fact_when = models.CharField(_("何时"), max_length=200, blank=True)
    fact_where = models.CharField(_("何地"), max_length=200, blank=True)
    fact_what = models.TextField(_("发生了什么"), blank=True)
    fact_view = models.TextField(_("客户的看法"), blank=True)
    fact_basis = models.TextField(_("依据"), blank=True)
    fact_why = models.TextField(_("原因"), blank=True)
    fact_how_much = models.TextField(_("客户期望（多少/怎样）"), blank=True)
    # Who raised the complaint when it is not the customer on file (a relative on another phone):
    # the person to call back about the case, kept on the case, not on the customer file.
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_cases",
    )
    # 相关责任人 (seed 001 table 6): the member of staff the customer complains about, which need
    # not be the handler (a service advisor's rudeness handled by the service manager). The weekly
    # and monthly reports' "most complained staff" count this, not the handler.
    complained_staff = models.ForeignKey(
        "crm.Staff",
        verbose_name=_("相关责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_about",
    )
    handler_role = models.CharField(_("处理人角色"), max_length=30, blank=True, choices=Role.choices)
    responsibility = models.CharField(
        _("责任归属"), max_length=20, choices=Responsibility.choices, default=Responsibility.PENDING
    )
    acceptance = models.CharField(_("客户接受程度"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=CaseState.NEW)
    escalation_level = models.PositiveSmallIntegerField(
        _("升级级别"), choices=EscalationLevel.choices, default=EscalationLevel.FRONT_LINE
    )
    manufacturer_case_ref = models.CharField(_("厂家案例编号"), max_length=60, blank=True)

    # Department feedback (部门反馈).
    investigation = models.TextField(_("调查情况"), blank=True)
    cause = models.TextField(_("原因分析"), blank=True)
    plan = models.TextField(_("处理方案"), blank=True)

    received_at = models.DateTimeField(_("受理时间"))
    dispatched_at = models.DateTimeField(_("派发时间"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("部门反馈时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完结时间"), null=True, blank=True)

    dispatch_due_at = models.DateTimeField(_("派发时限"), null=True, blank=True)
    first_contact_warn_at = models.DateTimeField(_("首次联系预警时间"), null=True, blank=True)
    first_contact_due_at = models.DateTimeField(_("首次联系时限"), null=True, blank=True)
    feedback_due_at = models.DateTimeField(_("部门反馈时限"), null=True, blank=True)

    # When the timer sweep sent each alert; claimed with a conditional UPDATE so that each alert
    # goes out once and a sweep skips cases already handled (cheap on tens of thousands of cases).
    yellow_alerted_at = models.DateTimeField(_("黄色预警时间"), null=True, blank=True, editable=False)
    red_alerted_at = models.DateTimeField(_("红色预警时间"), null=True, blank=True, editable=False)
    dispatch_overdue_alerted_at = models.DateTimeField(_("派发超时提醒时间"), null=True, blank=True, editable=False)
    feedback_overdue_alerted_at = models.DateTimeField(_("反馈超时提醒时间"), null=True, blank=True, editable=False)

    # Closing (结案, CR manager only).
    cr_activity_result = models.TextField(_("客关活动结果"), blank=True)
    final_result = models.CharField(_("最终结果"), max_length=20, choices=FinalResult.choices, blank=True)
    result_detail = models.TextField(_("结果详情"), blank=True)
    commitments = models.TextField(_("承诺事项"), blank=True)

    # complaints' one link to callbacks: a case opened from a call points at its hot alert and task
    # (a hot alert's cases are `alert.complaint_cases`). Named by string: complaints' code imports
    # nothing of callbacks (imports run callbacks → complaints; complaints.call_source is the hook).
    hot_alert = models.ForeignKey(
        "callbacks.HotAlert",
        verbose_name=_("热点预警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_cases",
    )
    source_task = models.ForeignKey(
        "callbacks.CallbackTask",
        verbose_name=_("来源回访任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_cases",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["store", "state", "received_at"], name="case_store_state_received"),
            models.Index(fields=["state", "first_contact_due_at"], name="case_state_fc_due"),
            models.Index(fields=["customer", "received_at"], name="case_customer_received"),
            models.Index(fields=["handler", "state"], name="case_handler_state"),
            models.Index(fields=["department", "state"], name="case_department_state"),
            # No index holds `escalation_level`: the SLA sweep escalates thousands of cases at once,
            # and a column in no index lets PostgreSQL update the row in place (HOT, see migration
            # 0003) instead of adding an entry to each of the table's indexes. The escalations
            # list (level 3 and above, open) reads the store's open cases.
            # A list filtered to one colour, oldest first, and its count: the open cases in receipt
            # order carrying what the colour rule reads, so that the page is the first rows of this
            # index and the count an index-only scan (complaints.selectors.case_list).
            # (Key columns rather than INCLUDE, which SQLite, the demo's database, warns about.)
            models.Index(
                fields=[
                    "received_at",
                    "id",
                    "store",
                    "first_contact_at",
                    "first_contact_warn_at",
                    "first_contact_due_at",
                ],
                condition=~Q(state__in=["closed", "unfounded"]),
                name="case_open_received_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(escalation_level__gte=1, escalation_level__lte=4), name="case_level_1_4")
        ]

    def __str__(self) -> str:
        return self.case_no


def _local_time(value):
    """A time stored in a change row (ISO text) as the pages show times: local, to the minute."""
    if not value:
        return value
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return moment.strftime("%Y-%m-%d %H:%M")
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _change_shown(field, value):
    """A changed value as people read it: a choice's label (a role's name, not its code), a time
    in local time."""
    if isinstance(field, models.DateTimeField):
        return _local_time(value)
    labels = {str(k): str(v) for k, v in (field.choices or [])}
    return labels.get(str(value), value)


class CaseEvent(models.Model):
    """One timeline entry (处理记录): who did what when, with the changed fields (field, old, new)."""

    case = models.ForeignKey(Case, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=20)
    memo = models.TextField(_("备注"), blank=True)
    changes = models.JSONField(_("变更"), default=list, blank=True)

    class Meta:
        verbose_name = _("投诉处理记录")
        verbose_name_plural = _("投诉处理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    @property
    def changes_display(self) -> list[dict[str, str]]:
        """The changes with the field's Chinese name and choice labels, for the timeline."""
        rows = []
        for change in self.changes or []:
            try:
                field = Case._meta.get_field(change["field"])
            except FieldDoesNotExist:  # a field renamed since: show the stored name
                rows.append({"field": change["field"], "old": change["old"], "new": change["new"]})
                continue
            rows.append(
                {
                    "field": str(field.verbose_name),
                    "old": _change_shown(field, change["old"]),
                    "new": _change_shown(field, change["new"]),
                }
            )
        return rows

    @property
    def action_label(self) -> str:

        return Action(self.action).label if self.action in Action.values else self.action
