"""Table 16 流失客户联络表 and the monthly reason summary for the service department (SPEC §10.3).

Rows come from winback.selectors (table16_rows: the entries added in the month with their latest
contact; reason_summary); this module adds the labels, the masking and the 合计 line.
"""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.masking import mask_phone
from crm.reporting import ReportColumn, ReportTable, rate
from reports.periods import month_label, store_label
from retention.choices import OutreachResult, ReasonCategory
from winback.selectors import reason_summary, table16_rows, winback_rates

LOST_CUSTOMER_COLUMNS = [
    ReportColumn("customer", gettext_noop("客户姓名"), "text", 10),
    ReportColumn("phone", gettext_noop("联系电话"), "text", 14),
    ReportColumn("last_visit_on", gettext_noop("最近来店时间"), "date", 12),
    ReportColumn("advisor", gettext_noop("服务顾问"), "text", 10),
    ReportColumn("contacted_at", gettext_noop("联络时间"), "datetime", 17),
    ReportColumn("contacted_by", gettext_noop("联络担当"), "text", 10),
    ReportColumn("result", gettext_noop("联络结果"), "text", 10),
    ReportColumn("words", gettext_noop("客户意见"), "text", 40),
    ReportColumn("recovered", gettext_noop("是否挽回"), "text", 8),
]


def build_lost_customers(*, store_ids: list[int] | None, month: dt.date, full_numbers: bool = True) -> ReportTable:
    """Table 16: the entries added in `month`, one row each, with the latest contact."""
    qs = table16_rows(store_ids=store_ids, month=month)
    results = dict(OutreachResult.choices)

    def rows():
        for e in qs.iterator(chunk_size=2000):
            yield {
                "customer": e.customer.name,
                "phone": e.customer.mobile if full_numbers else mask_phone(e.customer.mobile),
                "last_visit_on": e.last_visit_on,
                "advisor": e.service_advisor.name if e.service_advisor_id else "",
                "contacted_at": e.latest_at,
                "contacted_by": e.latest_by or "",
                "result": str(results.get(e.latest_result, "")) if e.latest_result else "",
                # 客户意见 is the customer's words with their reason category (SPEC §10.3): "价格：配件太贵".
                "words": _words_with_reason(e.latest_reason, e.latest_words),
                "recovered": "是" if e.recovered_on else "否",
            }

    # The 合计 line is the month's win-back rate, by the rule the win-back page and the GM dashboard read.
    month_rate = winback_rates(store_ids=store_ids, months=[month])[0]
    counts = {"n": month_rate.entries, "recovered": month_rate.recovered}
    share = rate(counts["recovered"], counts["n"])
    return ReportTable(
        name="lost_customers",
        title=gettext_noop("流失客户联络表（表16）"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=LOST_CUSTOMER_COLUMNS,
        rows=rows(),
        total_row={
            "phone": _("共 %(count)s 人") % {"count": counts["n"]},
            # 已预约 counts the entries whose call booked the customer in (an appointment exists).
            "result": _("已预约 %(count)s 人") % {"count": month_rate.booked},
            "recovered": _("挽回 %(count)s 人") % {"count": counts["recovered"]},
            "words": _("挽回率 %(rate)s") % {"rate": f"{share * 100:.1f}%" if share is not None else "—"},
        },
    )


REASON_COLUMNS = [
    ReportColumn("category", gettext_noop("原因类别"), "text", 12),
    ReportColumn("count", gettext_noop("客户数"), "int", 8),
    ReportColumn("words", gettext_noop("客户意见"), "text", 80),
]


def build_winback_reasons(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    """The reasons of the customers lost in `month` (their latest contact), per category, with their words."""
    groups = reason_summary(store_ids=store_ids, month=month)
    return ReportTable(
        name="winback_reasons",
        title=gettext_noop("流失原因月报"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=REASON_COLUMNS,
        rows=[
            {
                "category": g.label,
                "count": g.count,
                "words": "\n".join(f"{w['customer']}：{w['words']}" for w in g.words),
            }
            for g in groups
        ],
        total_row={"count": sum(g.count for g in groups)},
    )


def _words_with_reason(reason: str | None, words: str | None) -> str:
    label = str(ReasonCategory(reason).label) if reason in ReasonCategory.values else ""
    return "：".join(part for part in (label, words or "") if part)
