"""Table 13 短信发送记录表: the seed's headers, labels, reply content, masking, the 合计 line."""

import datetime as dt

import pytest
from django.urls import reverse

from crm.sms.choices import Direction, SmsStatus
from reports.registry import build_report
from tests.reports.builders import local, sms

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def october_sms(store_a, store_b):
    return [
        sms(store_a, at=local(2026, 10, 31, 23, 30), reply="9"),
        sms(store_a, at=local(2026, 10, 2, 10, 0), status=SmsStatus.FAILED, reason="festival"),
        sms(store_a, at=local(2026, 10, 3, 10, 0), status=SmsStatus.QUEUED, reason="something_new"),
        sms(store_a, at=local(2026, 11, 1, 0, 0)),  # November
        sms(store_a, at=local(2026, 10, 5, 10, 0), status=SmsStatus.RECEIVED, direction=Direction.INBOUND),
        sms(store_b, at=local(2026, 10, 5, 10, 0)),  # another store
    ]


def test_sms_log_rows_and_total(october_sms, store_a):
    table = build_report("sms_log", store_ids=[store_a.id], month=OCT)
    assert table.headers == ["客户姓名", "号码", "原因类型", "发送时间", "发送状态", "客户回复内容"]
    rows = list(table.rows)
    assert [(r["reason"], r["status"], r["reply"]) for r in rows] == [
        ("节日祝福", "发送失败", ""),
        ("something_new", "待发送", ""),
        ("短信回访", "已发送", "9"),
    ]
    assert rows[2]["sent_at"] == local(2026, 10, 31, 23, 30)
    assert rows[0]["mobile"] == october_sms[1].mobile
    assert table.total_values()[0] == "共 3 条"
    assert table.total_row["status"] == "已发送 1" and table.total_row["reply"] == "有回复 1 条"


def test_sms_log_masked_for_the_general_manager(october_sms, client_for, general_manager, cr_manager):
    url = reverse("reports:report", args=["sms_log"])
    mobile = october_sms[0].mobile
    gm_page = client_for(general_manager).get(url, {"month": "2026-10"})
    assert gm_page.status_code == 200
    assert mobile not in gm_page.text and f"{mobile[:3]}****{mobile[-4:]}" in gm_page.text
    assert mobile in client_for(cr_manager).get(url, {"month": "2026-10"}).text
