"""Table 5 抱怨客户联系处理表 (seed 001): every grumble of the month — a hot alert raised on a call
and not turned into a complaint case — with its handling (callbacks.grumbles).

The headers are the paper form's, in its order; 处理责任人签字 stays blank for the printed sheet's
signature, 车辆使用性质 is not recorded in the DMS data and stays blank too."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callbacks.grumbles.rules import done_filter, grumble_content, grumble_record
from callbacks.grumbles.selectors import grumble_number, grumble_table_rows
from crm.masking import mask_phone
from crm.reporting import ReportColumn, ReportTable
from reports.periods import month_label, store_label

GRUMBLE_COLUMNS = [
    ReportColumn("raised_on", gettext_noop("受理日期"), "date", 11),
    ReportColumn("number", gettext_noop("案例编号"), "text", 20),
    ReportColumn("category", gettext_noop("内容分类"), "text", 10),
    ReportColumn("model", gettext_noop("车型"), "text", 14),
    ReportColumn("vin", gettext_noop("VIN号"), "text", 19),
    ReportColumn("agreement_no", gettext_noop("协议号"), "text", 14),
    ReportColumn("plate", gettext_noop("车牌号"), "text", 10),
    ReportColumn("purchase_date", gettext_noop("购买日期"), "date", 11),
    ReportColumn("mileage", gettext_noop("行驶里程KM"), "int", 10),
    ReportColumn("customer", gettext_noop("用户姓名"), "text", 10),
    ReportColumn("gender", gettext_noop("性别"), "text", 6),
    ReportColumn("usage", gettext_noop("车辆使用性质"), "text", 10),
    ReportColumn("mobile", gettext_noop("移动电话"), "text", 13),
    ReportColumn("landline", gettext_noop("固定电话"), "text", 13),
    ReportColumn("email", gettext_noop("Email"), "text", 18),
    ReportColumn("address", gettext_noop("地址"), "text", 24),
    ReportColumn("postcode", gettext_noop("邮政编码"), "text", 8),
    ReportColumn("profile", gettext_noop("用户综合情况介绍"), "text", 20),
    ReportColumn("work", gettext_noop("维修工时描述"), "text", 14),
    ReportColumn("team", gettext_noop("维修班组"), "text", 10),
    ReportColumn("advisor", gettext_noop("服务顾问"), "text", 10),
    ReportColumn("content", gettext_noop("用户抱怨内容和用户要求"), "text", 40),
    ReportColumn("handling", gettext_noop("处理过程及情况"), "text", 40),
    ReportColumn("responsible", gettext_noop("处理责任人"), "text", 10),
    ReportColumn("handled_on", gettext_noop("处理完毕日期"), "date", 11),
    ReportColumn("signature", gettext_noop("处理责任人签字"), "text", 10),
    ReportColumn("summary", gettext_noop("处理结果总结"), "text", 30),
    ReportColumn("recall", gettext_noop("再次回访记录"), "text", 30),
]


def _row(alert, full_numbers: bool) -> dict:
    task, customer, vehicle = alert.task, alert.task.customer, alert.task.vehicle
    ro, delivery = task.repair_order, task.delivery
    record = grumble_record(alert)
    phone = (lambda v: v or "") if full_numbers else mask_phone
    return {
        "raised_on": timezone.localtime(alert.raised_at).date(),
        "number": grumble_number(alert),
        "category": record.get_category_display() if record else "",
        "model": vehicle.model or vehicle.series,
        "vin": vehicle.vin,
        "agreement_no": delivery.delivery_no if delivery else "",
        "plate": vehicle.plate,
        "purchase_date": vehicle.purchase_date,
        "mileage": ro.mileage_km if ro else vehicle.mileage_km,
        "customer": customer.name,
        "gender": customer.get_gender_display(),
        "usage": "",
        "mobile": phone(customer.mobile),
        "landline": phone(customer.landline),
        "email": customer.email,
        "address": customer.address or customer.mailing_address,
        "postcode": customer.postcode,
        "profile": customer.notes,
        "work": ro.get_work_type_display() if ro else "",
        "team": ro.repair_team.name if ro and ro.repair_team_id else "",
        "advisor": ro.service_advisor.name if ro else "",
        "content": grumble_content(alert, record, full=full_numbers),
        "handling": record.handling if record else "",
        "responsible": record.responsible_staff.name if record and record.responsible_staff_id else "",
        "handled_on": record.handled_on if record else None,
        "signature": "",
        "summary": record.result_summary if record else "",
        "recall": record.recall_note if record else "",
    }


def build_grumbles(*, store_ids: list[int] | None, month: dt.date, full_numbers: bool = True) -> ReportTable:
    """Table 5 for the month (by the day the alert was raised), oldest first; the 合计 line counts
    the grumbles and those handled."""
    qs = grumble_table_rows(store_ids=store_ids, month=month)
    rows = (_row(alert, full_numbers) for alert in qs.iterator(chunk_size=2000))
    n = qs.count()
    done = qs.filter(done_filter()).count()
    return ReportTable(
        name="grumbles",
        title=gettext_noop("抱怨客户联系处理表（表5）"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=GRUMBLE_COLUMNS,
        rows=rows,
        total_row={"number": _("合计 %(n)s 件，已处理完毕 %(done)s 件") % {"n": n, "done": done}},
    )
