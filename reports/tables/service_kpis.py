"""Service KPIs (seed 003, SPEC §9) per service advisor, for repair orders delivered in the month:

- 一次修复率 first-time fix rate = (ROs − rework ROs) / ROs
- 按时交车率 on-time delivery rate = ROs delivered by the promised time / ROs with a promised time
- 预估准确率 estimate accuracy = ROs whose amount is within ±10 % of the estimate / ROs with both

Rows per advisor and the 合计 row come from two aggregate queries (GROUP BY advisor, and the same
counts without grouping).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.models import RepairOrder
from crm.periods import month_bounds
from crm.reporting import ReportColumn, ReportTable, rate
from reports.periods import month_label, store_label

ESTIMATE_TOLERANCE = Decimal("0.10")

_COUNTS = {
    "ros": Count("id"),
    "rework": Count("id", filter=Q(is_rework=True)),
    "promised": Count("id", filter=Q(promised_at__isnull=False)),
    "on_time": Count("id", filter=Q(promised_at__isnull=False, delivered_at__lte=F("promised_at"))),
    "estimated": Count("id", filter=Q(estimate_amount__isnull=False, amount__isnull=False)),
    "accurate": Count(
        "id",
        filter=Q(
            estimate_amount__isnull=False,
            amount__gte=F("estimate_amount") * (1 - ESTIMATE_TOLERANCE),
            amount__lte=F("estimate_amount") * (1 + ESTIMATE_TOLERANCE),
        ),
    ),
}

KPI_COLUMNS = [
    ReportColumn("name", gettext_noop("服务顾问"), "text", 12),
    ReportColumn("ros", gettext_noop("工单数"), "int", 8),
    ReportColumn("rework", gettext_noop("返修工单数"), "int", 10),
    ReportColumn("first_time_fix_rate", gettext_noop("一次修复率"), "rate", 10),
    ReportColumn("promised", gettext_noop("有承诺交车时间工单数"), "int", 12),
    ReportColumn("on_time", gettext_noop("按时交车数"), "int", 10),
    ReportColumn("on_time_rate", gettext_noop("按时交车率"), "rate", 10),
    ReportColumn("estimated", gettext_noop("有预估及结算金额工单数"), "int", 12),
    ReportColumn("accurate", gettext_noop("预估准确数（±10%）"), "int", 12),
    ReportColumn("estimate_accuracy", gettext_noop("预估准确率"), "rate", 10),
]


def _with_rates(row: dict) -> dict:
    row["first_time_fix_rate"] = rate(row["ros"] - row["rework"], row["ros"])
    row["on_time_rate"] = rate(row["on_time"], row["promised"])
    row["estimate_accuracy"] = rate(row["accurate"], row["estimated"])
    return row


def build_service_kpis(*, store_ids: list[int] | None, month: dt.date, staff_id: int | None = None) -> ReportTable:
    start, end = month_bounds(month)
    qs = RepairOrder.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    if staff_id is not None:
        qs = qs.filter(service_advisor_id=staff_id)
    rows = [
        _with_rates({**r, "name": r.pop("service_advisor__name")})
        for r in qs.values("service_advisor_id", "service_advisor__name")
        .annotate(**_COUNTS)
        .order_by("service_advisor__name", "service_advisor_id")
    ]
    total = _with_rates({**qs.aggregate(**_COUNTS), "name": _("合计")})
    return ReportTable(
        name="service_kpis",
        title=gettext_noop("售后服务KPI"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=KPI_COLUMNS,
        rows=rows,
        total_row=total,
    )
