"""Browser flow: the CR manager opens 报表 from the navigation, picks table 7 for October, reads the
table with its 合计 row and downloads the same figures as .xlsx; screenshot of the page."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from callbacks.choices import TaskState
from tests.reports.builders import consultant, sales_task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cr_manager_reads_and_downloads_table_7(
    page, live_server, login, cr_manager, agent, store_a, screenshot, tmp_path
):
    zhang, li = consultant(store_a, "张销售"), consultant(store_a, "李销售")
    for score in (10, 9, 7, 3):
        sales_task(store=store_a, consultant=zhang, state=TaskState.DONE, attempts=["成功"], score=score, agent=agent)
    sales_task(store=store_a, consultant=zhang, state=TaskState.CLOSED_UNSUCCESSFUL, attempts=["拒访"], agent=agent)
    sales_task(store=store_a, consultant=li, delivered_on=dt.date(2026, 10, 20))

    login(cr_manager)
    page.click("nav [data-group=reports] > a")  # the 报表 menu: 报表, 月度报表包
    page.click("nav [data-group=reports] .dropdown-menu >> text=报表")
    page.click("text=销售顾问满意率统计表（表7）")
    page.fill("input[name=month]", "2026-10")
    page.select_option("select[name=store]", str(store_a.pk))
    page.click("[data-testid=report-filters] button[type=submit]")
    page.wait_for_load_state("networkidle")
    table = page.locator("[data-testid=report-table]")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:4] == ["销售顾问", "交车数", "回访数", "回访成功数"] and len(headers) == 16
    zhang_row = table.locator("tr", has_text="张销售").locator("td").all_inner_texts()
    assert zhang_row[:5] == ["张销售", "5", "5", "4", "1"]
    assert zhang_row[9] == "80.0%"  # 回访成功率 4 / 5
    li_row = table.locator("tr", has_text="李销售").locator("td").all_inner_texts()
    assert li_row[9] == "0.0%" and li_row[13] == ""  # no success: satisfaction rates empty
    total = page.locator("[data-testid=report-total] td").all_inner_texts()
    assert total[:2] == ["合计", "6"]
    screenshot("report_sc_satisfaction")

    with page.expect_download() as info:
        page.click("[data-testid=download-xlsx]")
    path = tmp_path / "t7.xlsx"
    info.value.save_as(path)
    ws = load_workbook(path).active
    assert ws["A1"].value == "销售顾问满意率统计表（六安鑫宝丰田，2026年10月）"
    assert ws.cell(row=ws.max_row, column=1).value == "合计"
    assert ws.cell(row=ws.max_row, column=2).value == 6
