"""Table 13 短信发送记录表 (seed 001, SPEC §10): every SMS sent in the month, with the reply.

Rows come from crm.sms.selectors.sms_log_rows (outbound messages queued in the local month);
this module adds the labels, the masking and the 合计 line.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.masking import mask_phone
from crm.reporting import ReportColumn, ReportTable
from crm.sms.choices import SmsReason, SmsStatus
from crm.sms.selectors import SMS_LOG_HEADERS, sms_log_rows
from reports.periods import month_label, store_label

_KEYS = ("customer", "mobile", "reason", "sent_at", "status", "reply")
_KINDS = ("text", "text", "text", "datetime", "text", "text")
_WIDTHS = (10, 14, 14, 17, 10, 30)
SMS_LOG_COLUMNS = [
    ReportColumn(key, header, kind, width)
    for key, header, kind, width in zip(_KEYS, SMS_LOG_HEADERS, _KINDS, _WIDTHS, strict=True)
]


def build_sms_log(*, store_ids: list[int] | None, month: dt.date, full_numbers: bool = True) -> ReportTable:
    qs = sms_log_rows(store_ids=store_ids, month=month)
    reasons, statuses = dict(SmsReason.choices), dict(SmsStatus.choices)

    def rows():
        for sms in qs.iterator(chunk_size=2000):
            yield {
                "customer": sms.customer.name if sms.customer_id else "",
                "mobile": sms.mobile if full_numbers else mask_phone(sms.mobile),
                "reason": str(reasons.get(sms.reason, sms.reason)),
                "sent_at": sms.sent_at,
                "status": str(statuses.get(sms.status, sms.status)),
                "reply": sms.reply_text,
            }

    counts = qs.order_by().aggregate(
        n=Count("id"), sent=Count("id", filter=Q(status=SmsStatus.SENT)), replied=Count("id", filter=~Q(reply_text=""))
    )
    return ReportTable(
        name="sms_log",
        title=gettext_noop("短信发送记录表（表13）"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=SMS_LOG_COLUMNS,
        rows=rows(),
        total_row={
            "customer": _("共 %(count)s 条") % {"count": counts["n"]},
            "status": _("已发送 %(count)s") % {"count": counts["sent"]},
            "reply": _("有回复 %(count)s 条") % {"count": counts["replied"]},
        },
    )
