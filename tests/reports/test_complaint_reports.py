"""complaints / complaints_monthly / the weekly report: figures, .xlsx read back, pages and scope."""

import datetime as dt
import io

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from complaints.choices import Category, Channel, FinalResult
from complaints.reports import COMPLAINTS_HEADERS
from complaints.services import case_close, case_dispatch, case_feedback, case_first_contact, case_resolve
from crm.choices import Role
from reports.registry import build_report
from reports.tables.complaints import build_complaints_weekly, week_bounds
from tests.factories import CustomerFactory, StaffFactory, UserFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def october_cases(make_case, cr_manager, advisor, service_department, store_b, store_a):
    """Three cases in October 2026 (one received 10-31 23:30 local), one in November; one of store B.
    The first two are handled by advisor 周顾问 and complain about technician 李技师 (相关责任人)."""
    received = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    technician = StaffFactory(store=store_a, name="李技师")
    with time_machine.travel(received, tick=False):
        late = make_case(complained_staff=technician)
        prompt = make_case(
            content="第二件", category=Category.ATTITUDE, channel=Channel.VISIT, complained_staff=technician
        )
    with time_machine.travel(received + dt.timedelta(minutes=10), tick=False):
        prompt = case_dispatch(case=prompt, user=cr_manager, department=service_department, handler=advisor)
        case_first_contact(case=prompt, user=advisor)
    with time_machine.travel(received + dt.timedelta(hours=2), tick=False):
        late = case_dispatch(case=late, user=cr_manager, department=service_department, handler=advisor)
    with time_machine.travel(received + dt.timedelta(hours=5), tick=False):
        prompt = case_feedback(
            case=prompt, user=advisor, investigation="查明", cause="沟通", responsibility="dealer", plan="致歉"
        )
        prompt = case_resolve(case=prompt, user=cr_manager)
    with time_machine.travel(received + dt.timedelta(hours=10), tick=False):
        case_close(
            case=prompt,
            user=cr_manager,
            cr_activity_result="已回访",
            final_result=FinalResult.SATISFIED,
            result_detail="客户满意",
            commitments="",
        )
    with time_machine.travel(dt.datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI), tick=False):
        edge = make_case(content="月末最后一件")
    with time_machine.travel(dt.datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI), tick=False):
        make_case(content="十一月")
    customer_b = CustomerFactory(store=store_b)
    with time_machine.travel(received, tick=False):
        make_case(store=store_b, customer=customer_b, content="别的店", user=None)
    return late, prompt, edge


def test_complaints_report_has_the_spec_columns_and_colours(october_cases, store_a):
    late, prompt, edge = october_cases
    with time_machine.travel(dt.datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI), tick=False):
        table = build_report("complaints", store_ids=[store_a.id], month=OCT)
        rows = list(table.rows)
    assert table.headers == COMPLAINTS_HEADERS
    assert table.headers[:2] == ["受理编号", "受理时间"]
    assert {"状态", "投诉等级", "SLA颜色"} <= set(table.headers)
    by_no = {r[0]: r for r in rows}
    assert list(by_no) == [late.case_no, prompt.case_no, edge.case_no]  # store B and November left out
    colour = table.headers.index("SLA颜色")
    assert by_no[late.case_no][colour] == "红"
    assert by_no[prompt.case_no][colour] == "灰"
    assert by_no[edge.case_no][colour] == "红"
    assert by_no[edge.case_no][1] == dt.datetime(2026, 10, 31, 23, 30)
    assert table.total_values()[0] == "合计 3 件"


def test_complaints_monthly_figures(october_cases, store_a):
    with time_machine.travel(dt.datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI), tick=False):
        table = build_report("complaints_monthly", store_ids=[store_a.id], month=OCT)
    rows = {(r["section"], r["item"]): r for r in table.rows}
    assert rows[("按投诉类别", "维修质量")]["count"] == 2
    assert rows[("按投诉类别", "服务态度")]["count"] == 1
    assert rows[("按投诉类别", "服务态度")]["share"] == pytest.approx(1 / 3)
    assert rows[("按投诉类别", "配件")]["count"] == 0
    assert rows[("按渠道", "来人")]["count"] == 1
    assert rows[("按责任部门", "服务部")]["count"] == 2
    assert rows[("按责任部门", "未派发")]["count"] == 1
    # dispatched within 30 min: 1 of 3 (the edge case was never dispatched and its 30 min are over)
    assert (rows[("时效达成", "30分钟内派发")]["count"], rows[("时效达成", "30分钟内派发")]["base"]) == (1, 3)
    # first contact within 24 h: the prompt case only; both others are past 24 h without contact
    assert (rows[("时效达成", "24小时内首次联系")]["count"], rows[("时效达成", "24小时内首次联系")]["base"]) == (1, 3)
    fb = rows[("时效达成", "48小时内部门反馈")]
    assert (fb["count"], fb["base"]) == (1, 2)
    assert rows[("结案", "已完结")]["count"] == 1
    assert rows[("结案", "平均结案时长（小时）")]["count"] == 10.0
    assert rows[("受表扬的部门", "服务部")]["count"] == 1
    assert rows[("投诉最多的部门", "服务部")]["count"] == 2
    # the staff complained about, not the handler (周顾问 handled both)
    assert rows[("投诉最多的员工", "李技师")]["count"] == 2
    assert ("投诉最多的员工", "周顾问") not in rows
    assert table.total_values()[:3] == ["合计", "受理投诉", 3]


def test_complaints_monthly_empty_month_has_empty_rates(store_a):
    table = build_report("complaints_monthly", store_ids=[store_a.id], month=dt.date(2030, 1, 1))
    rows = list(table.rows)
    assert all(r.get("share") is None for r in rows)
    assert table.total_values()[2] == 0


def test_weekly_report_lists_the_week_and_most_complained_staff(october_cases, store_a):
    late, prompt, _edge = october_cases
    cases, staff = build_complaints_weekly(store_ids=[store_a.id], day=dt.date(2026, 10, 10))
    assert [r[0] for r in cases.rows] == [late.case_no, prompt.case_no]
    assert cases.period_label == "2026-10-05 至 2026-10-11"
    staff_rows = list(staff.rows)
    # counted by 相关责任人 (李技师), not by the handler 周顾问 who handled both cases
    assert [(r["name"], r["count"], r["open"]) for r in staff_rows] == [("李技师", 2, 1)]
    assert week_bounds(dt.date(2026, 10, 11))[0] == dt.date(2026, 10, 5)


def test_complaints_export_reads_back(october_cases, store_a, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "c.xlsx"
    call_command("export_report", "complaints", "--month", "2026-10", "--store", "LA", "--out", str(out))
    ws = load_workbook(out).active
    assert [c.value for c in ws[2]] == COMPLAINTS_HEADERS
    assert ws.max_row == 2 + 3 + 1
    assert ws.cell(row=6, column=1).value == "合计 3 件"
    assert ws["B3"].number_format == "yyyy-mm-dd hh:mm"


# --- pages ------------------------------------------------------------------------------------


def test_index_lists_complaint_reports_for_the_cr_manager(client_for, cr_manager):
    response = client_for(cr_manager).get(reverse("reports:index"))
    assert response.status_code == 200
    names = {
        n for n in ("complaints", "complaints_monthly", "complaints_weekly") if f'data-name="{n}"' in response.text
    }
    assert names == {"complaints", "complaints_monthly", "complaints_weekly"}


def test_report_page_and_download_are_the_same_table(october_cases, client_for, cr_manager, store_a):
    client = client_for(cr_manager)
    params = {"store": store_a.id, "month": "2026-10"}
    page = client.get(reverse("reports:report", args=["complaints_monthly"]), params)
    assert page.status_code == 200
    assert "投诉月报（六安鑫宝丰田，2026年10月）" in page.text
    assert 'data-testid="download-xlsx"' in page.text
    download = client.get(reverse("reports:report_xlsx", args=["complaints_monthly"]), params)
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws["A1"].value == "投诉月报（六安鑫宝丰田，2026年10月）"
    assert [c.value for c in ws[2]] == ["统计项", "项目", "数量", "基数", "比例"]
    entry = LogEntry.objects.get(additional_data__event="report_export")
    assert entry.actor == cr_manager
    assert entry.additional_data["via"] == "page"


def test_another_stores_id_is_a_404_and_its_cases_never_show(october_cases, client_for, agent_b, store_a, store_b):
    manager_b = UserFactory(username="carol_b", roles=[Role.CR_MANAGER], stores=[store_b])
    client = client_for(manager_b)
    url = reverse("reports:report", args=["complaints"])
    assert client.get(url, {"store": store_a.id, "month": "2026-10"}).status_code == 404
    assert client.get(reverse("reports:report_xlsx", args=["complaints"]), {"store": store_a.id}).status_code == 404
    page = client.get(url, {"month": "2026-10"})
    late, _prompt, edge = october_cases
    assert page.status_code == 200
    assert late.case_no not in page.text and edge.case_no not in page.text
    assert page.text.count('data-testid="report-row"') == 1  # store B's own case only


def test_roles_without_complaint_reports_get_404(client_for, agent):
    client = client_for(agent)
    assert client.get(reverse("reports:report", args=["complaints"])).status_code == 404
    assert client.get(reverse("reports:complaints_weekly")).status_code == 404
    assert client.get(reverse("reports:report", args=["no_such_report"])).status_code == 404


def test_bad_month_is_a_form_error(client_for, cr_manager):
    response = client_for(cr_manager).get(reverse("reports:report", args=["complaints"]), {"month": "2026-13"})
    assert response.status_code == 400
    assert "月份格式" in response.text


def test_weekly_page_and_download(october_cases, client_for, cr_manager, store_a):
    client = client_for(cr_manager)
    params = {"store": store_a.id, "week": "2026-10-08"}
    page = client.get(reverse("reports:complaints_weekly"), params)
    assert page.status_code == 200
    assert page.text.count('data-testid="report-table"') == 2
    download = client.get(reverse("reports:complaints_weekly_xlsx"), params)
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert len(wb.sheetnames) == 2
    assert wb.worksheets[1]["A2"].value == "被投诉人（相关责任人）"


@pytest.mark.parametrize("name", ["complaints", "complaints_monthly"])
def test_report_page_query_count_does_not_grow_with_rows(october_cases, make_case, client_for, cr_manager, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cr_manager)
    url = reverse("reports:report", args=[name])
    client.get(url, {"month": "2026-10"})
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"month": "2026-10"})
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        for i in range(5):
            make_case(content=f"more {i}", category=Category.FEES)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url, {"month": "2026-10"})
    assert response.status_code == 200
    assert len(after) == len(before) <= 20
