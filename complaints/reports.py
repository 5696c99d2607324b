"""Figures of the complaint reports (SPEC §9): the month's case list and the monthly summary.

Plain headers + rows for now; wrapping them in `crm.reporting.ReportTable` (the shared format and
.xlsx writer, built on branch reports) is the next step once that module is on main.
"""

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.choices import SlaColour
from complaints.models import Case
from complaints.selectors import case_closed_filter, sla_counts, with_sla_colour
from crm.periods import month_bounds

COMPLAINTS_HEADERS = [
    "受理编号",
    "受理时间",
    "门店",
    "客户姓名",
    "渠道",
    "首次/再次",
    "投诉类别",
    "投诉等级",
    "责任部门",
    "处理人",
    "相关责任人",
    "状态",
    "升级级别",
    "SLA颜色",
    "首次联系时间",
    "部门反馈时间",
    "完结时间",
    "最终结果",
]


month_range = month_bounds  # the month as local midnight to local midnight (crm.periods)


def cases_received(*, start: dt.datetime, end: dt.datetime, store_ids: list[int] | None) -> QuerySet[Case]:
    qs = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    return qs.filter(store_id__in=store_ids) if store_ids is not None else qs


def complaints_rows(*, start: dt.datetime, end: dt.datetime, store_ids: list[int] | None, now: dt.datetime):
    """`complaints`: every case received in the period, one row each, with its SLA colour label."""
    qs = (
        with_sla_colour(cases_received(start=start, end=end, store_ids=store_ids), now)
        .select_related("store", "customer", "department", "handler", "complained_staff")
        .order_by("received_at", "id")
    )
    labels = dict(SlaColour.choices)
    for case in qs.iterator(chunk_size=2000):
        yield [
            case.case_no,
            timezone.localtime(case.received_at).replace(tzinfo=None),
            case.store.name,
            case.customer.name,
            case.get_channel_display(),
            _("再次") if case.is_repeat else _("首次"),
            case.get_category_display(),
            case.level,
            case.department.get_kind_display() if case.department_id else "",
            str(case.handler or ""),
            case.complained_staff.name if case.complained_staff_id else "",
            case.get_state_display(),
            case.escalation_level,
            str(labels[case.sla_colour]),
            _local(case.first_contact_at),
            _local(case.feedback_at),
            _local(case.closed_at),
            case.get_final_result_display(),
        ]


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def complaints_monthly_summary(
    *, start: dt.datetime, end: dt.datetime, store_ids: list[int] | None, now: dt.datetime | None = None
) -> dict:
    """`complaints_monthly`: counts by category, level, department and channel; SLA compliance
    (dispatched within 30 min, first contact within 24 h, feedback within 48 h) counted by THE rule
    of `complaints.selectors.sla_counts`, the dashboard's too; average hours to close; the
    most-complained departments and staff. All aggregated in the database."""
    now = now or timezone.now()
    qs = cases_received(start=start, end=end, store_ids=store_ids)
    totals = qs.aggregate(
        received=Count("id"),
        closed=Count("id", filter=case_closed_filter()),
        dispatched=Count("id", filter=Q(dispatched_at__isnull=False)),
        contacted=Count("id", filter=Q(first_contact_at__isnull=False)),
        feedback=Count("id", filter=Q(feedback_at__isnull=False)),
        **sla_counts(now),
        avg_close=Avg(
            ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField()),
            filter=Q(closed_at__isnull=False),
        ),
    )
    avg = totals.pop("avg_close")
    totals["avg_hours_to_close"] = round(avg.total_seconds() / 3600, 1) if avg else None
    by = {
        key: list(qs.values(field).annotate(n=Count("id")).order_by("-n", field))
        for key, field in (
            ("category", "category"),
            ("level", "level"),
            ("department", "department__kind"),
            ("channel", "channel"),
        )
    }
    # The staff complained about (相关责任人, table 6), not the case's handler (issue 14 item 3).
    by["staff"] = list(
        qs.filter(complained_staff__isnull=False)
        .values("complained_staff_id", "complained_staff__name")  # two namesakes stay two people
        .annotate(n=Count("id"))
        .order_by("-n", "complained_staff__name")[:10]
    )
    return {"totals": totals, "by": by}
