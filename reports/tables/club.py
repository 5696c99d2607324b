"""The membership club's reports (SPEC §10.6): members by level, points earned and redeemed per
month, the share of service revenue from members. Figures from club.stats; labels and totals here."""

import datetime as dt

from django.utils.translation import gettext_noop

from club.choices import Level
from club.stats import member_revenue_share, members_by_level, points_by_month
from crm.reporting import ReportColumn, ReportTable, rate
from reports.periods import month_label, store_label

LEVEL_COLUMNS = [
    ReportColumn("store", gettext_noop("门店"), "text", 16),
    ReportColumn("issued", gettext_noop("当月新发卡"), "int", 10),
    ReportColumn("members", gettext_noop("有效会员"), "int", 10),
    ReportColumn(Level.STANDARD.value, gettext_noop("普卡（月末）"), "int", 10),
    ReportColumn(Level.SILVER.value, gettext_noop("银卡（月末）"), "int", 10),
    ReportColumn(Level.GOLD.value, gettext_noop("金卡（月末）"), "int", 10),
]


def _total(rows: list[dict], keys: list[str]) -> dict:
    return {key: sum(row[key] for row in rows) for key in keys}


def build_club_members(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    rows = members_by_level(store_ids=store_ids, month=month)
    return ReportTable(
        name="club_members",
        title=gettext_noop("俱乐部会员等级分布"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=LEVEL_COLUMNS,
        rows=rows,
        total_row=_total(rows, [c.key for c in LEVEL_COLUMNS[1:]]),
        notes=[
            gettext_noop(
                "有效会员：月末有效的会员卡，补卡前后算一位会员；当月新发卡不含补卡。"
                "等级：月末前12个月所得积分按门店现行等级标准计算。"
            )
        ],
    )


POINT_COLUMNS = [
    ReportColumn("month", gettext_noop("月份"), "text", 10),
    ReportColumn("ro", gettext_noop("维修消费积分"), "int", 12),
    ReportColumn("activity", gettext_noop("活动积分"), "int", 10),
    ReportColumn("suggestion", gettext_noop("建议采纳积分"), "int", 12),
    ReportColumn("adjustment", gettext_noop("人工调整"), "int", 10),
    ReportColumn("earned", gettext_noop("积分合计"), "int", 10),
    ReportColumn("redeemed", gettext_noop("兑换积分"), "int", 10),
]


def build_club_points(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    rows = points_by_month(store_ids=store_ids, month=month)
    return ReportTable(
        name="club_points",
        title=gettext_noop("会员积分月度发放与兑换"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=POINT_COLUMNS,
        rows=rows,
        total_row=_total(rows, [c.key for c in POINT_COLUMNS[1:]]),
        notes=[gettext_noop("近12个月，按记账时间；补卡转移不计。")],
    )


REVENUE_COLUMNS = [
    ReportColumn("store", gettext_noop("门店"), "text", 16),
    ReportColumn("orders", gettext_noop("工单数"), "int", 8),
    ReportColumn("revenue", gettext_noop("维修产值（元）"), "number", 14),
    ReportColumn("member_orders", gettext_noop("会员工单数"), "int", 10),
    ReportColumn("member_revenue", gettext_noop("会员产值（元）"), "number", 14),
    ReportColumn("share", gettext_noop("会员产值占比"), "rate", 12),
]


def build_club_revenue(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    rows = member_revenue_share(store_ids=store_ids, month=month)
    for row in rows:
        row["share"] = rate(float(row["member_revenue"]), float(row["revenue"]))
    total = _total(rows, ["orders", "revenue", "member_orders", "member_revenue"])
    total["share"] = rate(float(total["member_revenue"]), float(total["revenue"]))
    return ReportTable(
        name="club_revenue",
        title=gettext_noop("会员维修产值占比"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=REVENUE_COLUMNS,
        rows=rows,
        total_row=total,
        notes=[gettext_noop("当月进厂工单的结算金额，不含索赔；会员：工单日持有有效会员卡的车辆。")],
    )
