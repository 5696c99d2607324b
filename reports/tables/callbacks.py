"""Callback reports (SPEC §9, seed 001): table 3 unsuccessful callbacks, table 4 uncertain
customer records (the data-fix queue) and the daily callback report per agent."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callbacks import figures
from callbacks.choices import Bucket, CallbackKind, Disposition, TaskState
from callbacks.models import CallAttempt, CallbackTask, DataFixRecord
from callbacks.selectors import agent_daily_report
from crm.masking import mask_phone
from crm.periods import month_bounds, next_month
from crm.reporting import ReportColumn, ReportTable, rate
from reports.periods import month_label, store_label
from telephony.selectors import TALK_TIME_FIGURE, format_talk_time


def tasks_of_month(*, store_ids: list[int] | None, month: dt.date) -> QuerySet[CallbackTask]:
    """Callback tasks whose source event falls in the month (SPEC §9, callbacks.figures.task_month_filter):
    a sales task by its delivery date, a service task by its repair order's 交车时间 in local time."""
    return CallbackTask.objects.filter(
        figures.task_month_filter(kind=CallbackKind.SALES, first=month, store_ids=store_ids)
        | figures.task_month_filter(kind=CallbackKind.SERVICE, first=month, store_ids=store_ids)
    )


def _last_attempt(field: str) -> Subquery:
    return Subquery(CallAttempt.objects.filter(task=OuterRef("pk")).order_by("-at", "-id").values(field)[:1])


def unsuccessful_tasks(
    *, store_ids: list[int] | None, month: dt.date, now: dt.datetime | None = None
) -> QuerySet[CallbackTask]:
    """回访未成功 as tables 7/8 count it (callbacks.figures.unsuccessful), with who made the last
    attempt, when, and its note annotated (the task stores its last disposition and bucket)."""
    now = now or timezone.now()
    return (
        tasks_of_month(store_ids=store_ids, month=month)
        .filter(figures.unsuccessful(now))
        .annotate(
            last_at=_last_attempt("at"),
            last_note=_last_attempt("note"),
            last_agent_name=_last_attempt("agent__display_name"),
            last_agent_username=_last_attempt("agent__username"),
        )
    )


PHONE_WIDTH = 14
_DISPOSITION_LABELS = dict(Disposition.choices)

UNSUCCESSFUL_COLUMNS = [
    ReportColumn("no", gettext_noop("序号"), "int", 6),
    ReportColumn("kind", gettext_noop("回访类型"), "text", 9),
    ReportColumn("customer", gettext_noop("客户姓名"), "text", 10),
    ReportColumn("phone", gettext_noop("联系电话"), "text", PHONE_WIDTH),
    ReportColumn("vin", gettext_noop("VIN号"), "text", 19),
    ReportColumn("model", gettext_noop("车型"), "text", 14),
    ReportColumn("status", gettext_noop("回访状态"), "text", 10),
    ReportColumn("agent", gettext_noop("回访专员姓名"), "text", 10),
    ReportColumn("at", gettext_noop("回访时间"), "datetime", 17),
    ReportColumn("consultant", gettext_noop("销售、服务顾问"), "text", 12),
    ReportColumn("reason", gettext_noop("原因"), "text", 10),
    ReportColumn("note", gettext_noop("备注"), "text", 30),
]


def _disposition_label(disposition: str | None) -> str:
    """The last attempt's disposition as shown (its choice label), 短信未回复 when there was none."""
    if not disposition:
        return _("短信未回复")
    return str(_DISPOSITION_LABELS.get(disposition, disposition))


def _bucket_label(bucket: str) -> str:
    """The task's stored bucket as shown, 短信未回复 when it had no attempt (only the SMS survey)."""
    return str(Bucket(bucket).label) if bucket else _("短信未回复")


def build_unsuccessful_callbacks(
    *, store_ids: list[int] | None, month: dt.date, full_numbers: bool = True
) -> ReportTable:
    """Table 3 回访不成功明细表: every unsuccessful callback of the month, one row each."""
    qs = (
        unsuccessful_tasks(store_ids=store_ids, month=month)
        .select_related("customer", "vehicle")
        .annotate(consultant=Coalesce(F("delivery__sales_consultant__name"), F("repair_order__service_advisor__name")))
        .order_by("window_closes_at", "id")
    )
    kinds = dict(CallbackKind.choices)

    def rows():
        for no, task in enumerate(qs.iterator(chunk_size=2000), start=1):
            phone = task.customer.mobile
            yield {
                "no": no,
                "kind": str(kinds[task.kind]),
                "customer": task.customer.name,
                "phone": phone if full_numbers else mask_phone(phone),
                "vin": task.vehicle.vin,
                "model": task.vehicle.model,
                "status": _disposition_label(task.last_disposition),
                "agent": task.last_agent_name or task.last_agent_username or "",
                "at": task.last_at,
                "consultant": task.consultant or "",
                "reason": _bucket_label(task.last_bucket),
                "note": task.last_note or "",
            }

    count = qs.count()
    return ReportTable(
        name="unsuccessful_callbacks",
        title=gettext_noop("回访不成功明细表"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=UNSUCCESSFUL_COLUMNS,
        rows=rows(),
        total_row={"kind": _("共 %(count)s 条") % {"count": count}},
    )


UNCERTAIN_COLUMNS = [
    ReportColumn("no", gettext_noop("序号"), "int", 6),
    ReportColumn("customer", gettext_noop("客户姓名"), "text", 10),
    ReportColumn("phone", gettext_noop("客户电话"), "text", PHONE_WIDTH),
    ReportColumn("vin", gettext_noop("VIN号"), "text", 19),
    ReportColumn("valid", gettext_noop("是否有效"), "text", 8),
    ReportColumn("status", gettext_noop("回访状态"), "text", 10),
    ReportColumn("agent", gettext_noop("回访专员"), "text", 10),
    ReportColumn("at", gettext_noop("回访时间"), "datetime", 17),
    ReportColumn("corrected_name", gettext_noop("找回正确客户姓名"), "text", 12),
    ReportColumn("corrected_phone", gettext_noop("找回正确联系电话"), "text", PHONE_WIDTH),
    ReportColumn("corrected_other", gettext_noop("找回其他联系方式"), "text", 16),
    ReportColumn("fixed_at", gettext_noop("修正时间"), "datetime", 17),
    ReportColumn("note", gettext_noop("备注"), "text", 24),
]


def build_uncertain_customers(*, store_ids: list[int] | None, month: dt.date, full_numbers: bool = True) -> ReportTable:
    """Table 4 不确定客户记录表: the wrong or empty numbers found by callbacks in the month, with
    what was recovered (the data-fix queue, callbacks.DataFixRecord)."""
    start, end = month_bounds(month)
    qs = DataFixRecord.objects.filter(reported_at__gte=start, reported_at__lt=end)
    if store_ids is not None:
        qs = qs.filter(task__store_id__in=store_ids)
    qs = qs.select_related("customer", "task__vehicle", "reported_by").order_by("reported_at", "id")
    states = dict(TaskState.choices)
    show = (lambda v: v or "") if full_numbers else mask_phone

    def rows():
        for no, rec in enumerate(qs.iterator(chunk_size=2000), start=1):
            corrected = rec.corrected_mobile or rec.corrected_landline
            yield {
                "no": no,
                "customer": rec.customer.name,
                "phone": show(rec.wrong_number),
                "vin": rec.task.vehicle.vin,
                "valid": _("否"),
                "status": str(states.get(rec.task.state, rec.task.state)),
                "agent": str(rec.reported_by or ""),
                "at": rec.reported_at,
                "corrected_name": rec.corrected_name,
                "corrected_phone": show(corrected),
                "corrected_other": rec.corrected_other,
                "fixed_at": rec.fixed_at,
                "note": _("已修正") if rec.fixed_at else _("待修正"),
            }

    count, fixed = qs.count(), qs.filter(fixed_at__isnull=False).count()
    return ReportTable(
        name="uncertain_customers",
        title=gettext_noop("不确定客户记录表"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=UNCERTAIN_COLUMNS,
        rows=rows(),
        total_row={
            "customer": _("共 %(count)s 条") % {"count": count},
            "note": _("已修正 %(count)s 条") % {"count": fixed},
        },
    )


DAILY_COLUMNS = [
    ReportColumn("day", gettext_noop("日期"), "date", 11),
    ReportColumn("agent_name", gettext_noop("回访专员"), "text", 10),
    ReportColumn("tasks_worked", gettext_noop("回访任务数"), "int", 10),
    ReportColumn("attempts", gettext_noop("拨打次数"), "int", 9),
    ReportColumn("success", gettext_noop("成功"), "int", 7),
    ReportColumn("reschedule", gettext_noop("预约"), "int", 7),
    ReportColumn("refused", gettext_noop("拒绝"), "int", 7),
    ReportColumn("no_answer", gettext_noop("无人接听"), "int", 9),
    ReportColumn("unreachable", gettext_noop("无法接通"), "int", 9),
    ReportColumn("wrong_number", gettext_noop("号码错误"), "int", 9),
    ReportColumn("unsuccessful", gettext_noop("未成功合计"), "int", 10),
    ReportColumn("sms_sent", gettext_noop("短信"), "int", 7),
    ReportColumn("success_rate", gettext_noop("成功率（按次）"), "rate", 12),
    # Talk time (issue 16): the summed durations of the agent's answered calls that day (telephony).
    ReportColumn("talk_time", gettext_noop("通话时长"), "text", 10),
]
_DAILY_SUMMED = [c.key for c in DAILY_COLUMNS if c.kind == "int"]


def _with_talk_time(rows: list[dict]) -> list[dict]:
    """The talk time agent_daily_report carries (telephony's figure, seconds) as the table shows it;
    an agent who only talked that day has a row of his own there already."""
    for row in rows:
        row["talk_seconds"] = row[TALK_TIME_FIGURE]
        row["talk_time"] = format_talk_time(row["talk_seconds"])
    return rows


def build_callback_daily(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    """The daily callback report per agent (回访日报), every day of the month; callbacks'
    agent_daily_report aggregates in the database, here only its ≤ 31 × agents rows are summed."""
    last_day = next_month(month) - dt.timedelta(days=1)
    rows = agent_daily_report(store_ids=store_ids, date_from=month, date_to=last_day)
    rows = _with_talk_time(rows)
    total = {key: sum(r[key] for r in rows) for key in _DAILY_SUMMED}
    total_seconds = sum(r["talk_seconds"] for r in rows)
    for row in [*rows, total]:
        row["success_rate"] = rate(row["success"], row["attempts"])
    total["agent_name"] = ""
    total["talk_time"] = format_talk_time(total_seconds)
    return ReportTable(
        name="callback_daily",
        title=gettext_noop("回访日报"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=DAILY_COLUMNS,
        rows=rows,
        total_row={**total, "day": _("合计")},
    )
