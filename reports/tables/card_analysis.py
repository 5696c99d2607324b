"""A/C card analysis by model (tables 11–12 of seed 001, SPEC §9): customers counted by gender,
age band, income band, district, occupation, information source and purchase type, one row per
vehicle series (车型 as the seed lists them: 皇冠, 卡罗拉, 威驰 …).

- Table 11 A卡分析表 (`card_analysis_sales`): the customers of the month's deliveries.
- Table 12 C卡分析表 (`card_analysis_service`): the customers of the month's repair orders
  (by 交车时间, local month); purchase type from the vehicle's delivery here, if any.

A customer is counted once per series (COUNT DISTINCT). Rows come from one aggregate query, the
合计 row from the same counts without grouping, and the district columns from one query for the
month's most frequent districts (at most eight, the rest under 其他区域).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.choices import Gender, IncomeBand, InfoSource, Occupation, PurchaseType
from crm.models import Delivery, RepairOrder
from crm.periods import month_bounds, next_month
from crm.reporting import ReportColumn, ReportTable
from reports.periods import month_label, store_label

MAX_DISTRICTS = 8
UNKNOWN_SERIES = gettext_noop("未注明车型")


@dataclass(frozen=True)
class Dimension:
    key: str
    header: str
    buckets: list[tuple[str, str, Q]]  # (column key, label, condition on the customer)


def _age_dimension(as_of: dt.date, customer: str) -> Dimension:
    """Age on the last day of the month: ≤25, 26–35, 36–45, >45 (seed 001's bands), unknown."""

    def born_after(years: int) -> dt.date:  # born after this date → younger than `years`
        try:
            return as_of.replace(year=as_of.year - years)
        except ValueError:  # 29 February
            return as_of.replace(year=as_of.year - years, day=28)

    b = f"{customer}birthday"
    return Dimension(
        "age",
        gettext_noop("年龄"),
        [
            ("age_25", gettext_noop("25岁以下"), Q(**{f"{b}__gt": born_after(26)})),
            ("age_26", gettext_noop("26~35岁"), Q(**{f"{b}__gt": born_after(36), f"{b}__lte": born_after(26)})),
            ("age_36", gettext_noop("36~45岁"), Q(**{f"{b}__gt": born_after(46), f"{b}__lte": born_after(36)})),
            ("age_46", gettext_noop("45岁以上"), Q(**{f"{b}__lte": born_after(46)})),
            ("age_unknown", gettext_noop("年龄未知"), Q(**{f"{b}__isnull": True})),
        ],
    )


def _choice_dimension(key: str, header: str, field: str, choices) -> Dimension:
    buckets = [(f"{key}_{value}", str(label), Q(**{field: value})) for value, label in choices]
    buckets.append((f"{key}_unknown", gettext_noop("未填"), Q(**{field: ""})))
    return Dimension(key, header, buckets)


def _district_dimension(qs: QuerySet, customer: str) -> Dimension:
    field = f"{customer}district"
    ranked = qs.exclude(**{field: ""}).values_list(field, flat=True).annotate(n=Count("id")).order_by("-n", field)
    top = list(ranked[:MAX_DISTRICTS])
    buckets = [(f"district_{i}", name, Q(**{field: name})) for i, name in enumerate(top)]
    buckets.append(("district_other", gettext_noop("其他区域"), ~Q(**{f"{field}__in": top}) & ~Q(**{field: ""})))
    buckets.append(("district_unknown", gettext_noop("未填"), Q(**{field: ""})))
    return Dimension("district", gettext_noop("居住区域"), buckets)


def _dimensions(qs: QuerySet, *, customer: str, purchase_field: str, month: dt.date) -> list[Dimension]:
    as_of = next_month(month) - dt.timedelta(days=1)
    return [
        _choice_dimension("gender", gettext_noop("性别"), f"{customer}gender", Gender.choices),
        _age_dimension(as_of, customer),
        _choice_dimension("income", gettext_noop("收入（月）"), f"{customer}income_band", IncomeBand.choices),
        _district_dimension(qs, customer),
        _choice_dimension("occupation", gettext_noop("职业"), f"{customer}occupation", Occupation.choices),
        _choice_dimension("source", gettext_noop("信息来源"), f"{customer}info_source", InfoSource.choices),
        _choice_dimension("purchase", gettext_noop("购买类型"), purchase_field, PurchaseType.choices),
    ]


def _columns(dimensions: list[Dimension]) -> list[ReportColumn]:
    cols = [
        ReportColumn("series", gettext_noop("车型"), "text", 14),
        ReportColumn("customers", gettext_noop("客户数"), "int", 8),
    ]
    for dim in dimensions:
        # A composed header, so built in the active language (exports are built in Chinese).
        cols += [ReportColumn(key, f"{_(dim.header)}·{_(label)}", "int", 9) for key, label, _q in dim.buckets]
    return cols


def _card_table(
    qs: QuerySet, *, name: str, title: str, customer: str, purchase_field: str, store_ids, month
) -> ReportTable:
    dims = _dimensions(qs, customer=customer, purchase_field=purchase_field, month=month)
    counted = f"{customer}id" if customer else "id"
    counts = {"customers": Count(counted, distinct=True)}
    for dim in dims:
        for key, _label, q in dim.buckets:
            counts[key] = Count(counted, filter=q, distinct=True)
    series = Coalesce(
        NullIf("vehicle__series", Value("")), NullIf("vehicle__model", Value("")), Value(_(UNKNOWN_SERIES))
    )
    rows = list(qs.annotate(series=series).values("series").annotate(**counts).order_by("-customers", "series"))
    total = {**qs.aggregate(**counts), "series": _("合计")}
    return ReportTable(
        name=name,
        title=title,
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=_columns(dims),
        rows=rows,
        total_row=total,
    )


def build_card_analysis_sales(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    qs = Delivery.objects.filter(delivered_on__gte=month, delivered_on__lt=next_month(month))
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    return _card_table(
        qs,
        name="card_analysis_sales",
        title=gettext_noop("A卡分析表（表11）"),
        customer="customer__",
        purchase_field="purchase_type",
        store_ids=store_ids,
        month=month,
    )


def build_card_analysis_service(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    start, end = month_bounds(month)
    qs = RepairOrder.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    purchase = Subquery(
        Delivery.objects.filter(vehicle=OuterRef("vehicle")).order_by("-delivered_on").values("purchase_type")[:1]
    )
    qs = qs.annotate(vehicle_purchase_type=Coalesce(purchase, Value("")))
    return _card_table(
        qs,
        name="card_analysis_service",
        title=gettext_noop("C卡分析表（表12）"),
        customer="customer__",
        purchase_field="vehicle_purchase_type",
        store_ids=store_ids,
        month=month,
    )
