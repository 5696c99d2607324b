"""The package's frozen report tables and its one-workbook download (read back with openpyxl)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from callbacks.choices import TaskState
from crm.reporting import ReportColumn, ReportTable, write_xlsx
from reports.packages.approval import report_package_approve, report_package_generate, report_package_submit
from reports.packages.snapshot import table_freeze, table_thaw
from reports.registry import report_names
from tests.reports.factories import local, make_case, make_task, sales_consultant, service_advisor

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)


def test_freeze_and_thaw_keep_values_by_column_kind():
    moment = local(2025, 3, 31, 23, 30)
    table = ReportTable(
        name="t",
        title="测试表",
        store_label="六安鑫宝丰田",
        period_label="2025年3月",
        columns=[
            ReportColumn("name", "姓名"),
            ReportColumn("at", "时间", "datetime"),
            ReportColumn("on", "日期", "date"),
            ReportColumn("amount", "金额", "number"),
            ReportColumn("share", "比率", "rate"),
            ReportColumn("n", "数", "int"),
        ],
        rows=iter(
            [{"name": "甲", "at": moment, "on": dt.date(2025, 3, 1), "amount": Decimal("12.50"), "share": 0.25, "n": 3}]
        ),
        total_row={"name": "", "n": 3, "share": None},
    )
    frozen = table_freeze(table)
    assert frozen["rows"] == [["甲", "2025-03-31T23:30:00", "2025-03-01", 12.5, 0.25, 3]]
    assert frozen["total"][0] == "合计"
    thawed = table_thaw(frozen)
    assert thawed.rows == [["甲", dt.datetime(2025, 3, 31, 23, 30), dt.date(2025, 3, 1), 12.5, 0.25, 3]]
    assert thawed.total_values() == ["合计", None, None, None, None, 3]
    out = io.BytesIO()
    write_xlsx(thawed, out)
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    assert ws.cell(3, 2).value == dt.datetime(2025, 3, 31, 23, 30)  # local wall time, as live
    assert ws.cell(3, 5).number_format == "0.0%"


@pytest.fixture
def march(store_a):
    sa = service_advisor(store_a, "周顾问")
    sc = sales_consultant(store_a, "王销售")
    task = make_task(staff=sa, source=local(2025, 3, 10, 10), score=9)
    make_task(staff=sa, source=local(2025, 3, 11, 10), state=TaskState.CLOSED_UNSUCCESSFUL)
    make_task(staff=sc, kind="sales", source=local(2025, 3, 12, 10), score=6)
    make_case(store=store_a, customer=task.customer, received_at=local(2025, 3, 20, 9))
    return sa


def test_package_freezes_every_registered_report(store_a, cr_manager, march):
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager)
    assert [t["name"] for t in package.tables] == report_names()
    sa_table = next(t for t in package.tables if t["name"] == "sa_satisfaction")
    assert sa_table["rows"][0][0] == "周顾问" and sa_table["total"][0] == "合计"
    complaints = next(t for t in package.tables if t["name"] == "complaints")
    assert len(complaints["rows"]) == 1


def download(client, package):
    response = client.get(reverse("reports:package_download", args=[package.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_values(wb) -> dict:
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_download_one_workbook_and_it_never_changes_once_approved(
    client_for, store_a, cr_manager, general_manager, march
):
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager)
    report_package_submit(package=package, user=cr_manager)
    package = report_package_approve(package=package, user=general_manager)
    client = client_for(general_manager)
    wb = download(client, package)

    titles = wb.sheetnames
    assert titles[:5] == ["看板指标(比率)", "看板指标(数量)", "12个月趋势", "员工排名", "显著高于门店的员工"]
    assert len(titles) == 5 + len(report_names())
    rates = wb["看板指标(比率)"]
    assert rates.cell(1, 1).value.startswith("看板指标(比率)（六安鑫宝丰田，2025-03")
    assert rates.cell(2, 1).value == "指标" and rates.cell(3, 1).value == "回访成功率"
    assert rates.cell(3, 2).value == pytest.approx(2 / 3) and rates.cell(3, 2).number_format == "0.0%"
    sa_sheet = next(ws for ws in wb.worksheets if ws.title.startswith("服务顾问满意率"))
    rows = list(sa_sheet.iter_rows(values_only=True))
    assert rows[1][0] == "服务顾问" and rows[-1][0] == "合计"
    assert LogEntry.objects.filter(additional_data__report="report_package").count() == 1

    before = sheet_values(wb)
    # New March data after approval: the approved workbook stays as the GM signed it.
    make_task(staff=march, source=local(2025, 3, 25, 10), score=2)
    make_case(store=store_a, received_at=local(2025, 3, 28, 9))
    assert sheet_values(download(client, package)) == before


def test_download_of_other_store_is_404(client_for, store_b, general_manager):
    from reports.models import ReportPackage

    package = ReportPackage.objects.create(store=store_b, month=MARCH)
    assert client_for(general_manager).get(reverse("reports:package_download", args=[package.pk])).status_code == 404


def test_detail_page_previews_frozen_tables(client_for, store_a, cr_manager, march):
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager)
    page = client_for(cr_manager).get(reverse("reports:package_detail", args=[package.pk])).content.decode()
    assert "服务顾问满意率统计表" in page and "合计" in page
    assert "50.0%" in page  # the advisor's 回访成功率 1/2, shown as a percentage


def test_total_label_in_a_numeric_first_column_is_written_as_text(store_a):
    """uncertain_customers starts with 序号 (int): its 合计 label must not break the workbook."""
    from reports.registry import build_report

    table = build_report("uncertain_customers", store_ids=[store_a.pk], month=MARCH)
    out = io.BytesIO()
    write_xlsx(table, out)
    rows = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert rows[-1][0] == "合计"
