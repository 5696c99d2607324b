"""The reminder reports (SPEC §10.2): `reminders` (every reminder sent in the month, one row each, the
spec's columns) and `reminder_summary` (per kind, then 合计: reminders, skipped, made (未跳过的提醒),
SMS sent, reached, booked, returned, return rate). Figures come from retention.selectors."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.masking import mask_phone
from crm.reporting import ReportColumn, ReportTable
from crm.sms.choices import SmsStatus
from reports.periods import month_label, store_label
from retention.choices import (
    SERVICE_REMINDER_KINDS,
    OutreachKind,
    OutreachResult,
    OutreachState,
    ReminderChannel,
    ReminderStatus,
    skip_reason_labels,
)
from retention.selectors import reminder_export_rows, reminder_summary, summary_total

REMINDER_COLUMNS = [
    ReportColumn("kind", "提醒类型", "text", 12),
    ReportColumn("customer", "客户姓名", "text", 10),
    ReportColumn("mobile", "手机", "text", 14),
    ReportColumn("plate", "车牌号", "text", 10),
    ReportColumn("vin", "车架号", "text", 19),
    ReportColumn("due_on", "到期日", "date", 11),
    ReportColumn("send_on", "发送日", "date", 11),
    ReportColumn("channel", "渠道", "text", 10),
    ReportColumn("status", "状态", "text", 16),
    ReportColumn("result", "结果", "text", 16),
    ReportColumn("returned", "是否回厂", "text", 8),
]


def _status(row: dict, labels: dict) -> str:
    if row["status"] == ReminderStatus.SKIPPED:
        return f"{labels['status'][row['status']]}：{skip_reason_labels(row['skip_reason'])}"
    parts = []
    if row["sms_status"]:
        parts.append(f"{_('短信')}{labels['sms'][row['sms_status']]}")
    if row["call_state"]:
        parts.append(f"{_('电话')}{labels['state'][row['call_state']]}")
    return "；".join(parts) or str(labels["status"][row["status"]])


def _result(row: dict, labels: dict) -> str:
    if not row["call_result"]:
        return ""
    text = str(labels["result"][row["call_result"]])
    if row["call_result"] == OutreachResult.BOOKED and row["booked_on"]:
        text += f" {row['booked_on'].isoformat()}"
    return text


def build_reminders(*, store_ids: list[int] | None, month: dt.date, full_numbers: bool = True) -> ReportTable:
    labels = {
        "kind": dict(OutreachKind.choices),
        "channel": dict(ReminderChannel.choices),
        "status": dict(ReminderStatus.choices),
        "sms": dict(SmsStatus.choices),
        "state": dict(OutreachState.choices),
        "result": dict(OutreachResult.choices),
    }
    qs = reminder_export_rows(store_ids=store_ids, month=month)

    def rows():
        for row in qs.iterator(chunk_size=2000):
            service = row["kind"] in SERVICE_REMINDER_KINDS
            yield {
                "kind": str(labels["kind"][row["kind"]]),
                "customer": row["customer_name"],
                "mobile": row["mobile"] if full_numbers else mask_phone(row["mobile"]),
                "plate": row["plate"] or "",
                "vin": row["vin"] or "",
                "due_on": row["due_on"],
                "send_on": row["send_on"],
                "channel": str(labels["channel"][row["channel"]]),
                "status": _status(row, labels),
                "result": _result(row, labels),
                "returned": (_("是") if row["returned_on"] else _("否")) if service else "",
            }

    return ReportTable(
        name="reminders",
        title=gettext_noop("提醒明细表"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=REMINDER_COLUMNS,
        rows=rows(),
    )


SUMMARY_COLUMNS = [
    ReportColumn("kind", "提醒类型", "text", 12),
    ReportColumn("reminders", "提醒数", "int", 8),
    ReportColumn("skipped", "跳过", "int", 8),
    # the GM dashboard's tile of the same name (reports.dashboard.retention), and 回厂率's denominator
    ReportColumn("made", "未跳过的提醒", "int", 12),
    ReportColumn("sms_sent", "短信已发", "int", 8),
    ReportColumn("reached", "电话联系上", "int", 10),
    ReportColumn("booked", "已预约", "int", 8),
    ReportColumn("returned", "回厂", "int", 8),
    ReportColumn("return_rate", "回厂率", "rate", 8),
]


def build_reminder_summary(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    kinds = dict(OutreachKind.choices)
    rows = reminder_summary(store_ids=store_ids, month=month)
    total = {**summary_total(rows), "kind": _("合计")}
    for row in rows:
        row["kind"] = str(kinds[row["kind"]])
    return ReportTable(
        name="reminder_summary",
        title=gettext_noop("提醒统计表"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=SUMMARY_COLUMNS,
        rows=rows,
        total_row=total,
        notes=[_("按发送日所在月份统计；回厂率 = 回厂 / 未跳过的提醒（首保、定保、质保到期）。")],
    )
