"""A CR manager uploads a DMS workbook, watches the progress bar, reads the summary, downloads the
error report and opens an imported customer — with the import running in a real Celery worker."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.crm.dms_files import delivery_row, ro_row, write_workbook
from tests.factories import make_vin

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_cr_manager_imports_a_workbook(
    real_celery_worker, settings, tmp_path, live_server, login, page, screenshot, cr_manager, store_a
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    today = timezone.localdate()
    deliveries = [delivery_row(销售协议号="XS-E2E-1", 交车日期=today - dt.timedelta(days=8), 门店=None)]
    ros = [
        ro_row(工单号=f"WX-E2E-{i:04d}", 车架号=make_vin(), 手机=f"137{i:08d}", 客户姓名=f"客户{i}", 门店=None)
        for i in range(1200)
    ]
    ros.append(ro_row(工单号="WX-BAD", 手机="13", 门店=None))
    path = write_workbook(tmp_path / "DMS导出-2026-11.xlsx", {"交车": deliveries, "工单": ros})

    login(cr_manager)
    page.click("[data-group=settings] > a")  # the 设置 menu holds DMS导入
    page.get_by_role("link", name="DMS导入").click()
    page.wait_for_url("**/imports/")
    page.set_input_files("input[name=file]", str(path))
    screenshot("import-1-upload")
    page.get_by_role("button", name="开始导入").click()

    page.wait_for_url("**/imports/*/")
    progress = page.get_by_test_id("import-progress")
    assert progress.is_visible()
    screenshot("import-2-progress")
    summary = page.get_by_test_id("import-summary")
    summary.wait_for(timeout=90_000)
    # One of 1,201 rows failed: done, with errors (crm.choices.import_outcome).
    assert page.get_by_test_id("job-status").inner_text() == "已完成（有错误行）"
    assert summary.locator("tr[data-sheet=deliveries] td").nth(1).inner_text() == "1"
    assert summary.locator("tr[data-sheet=repair_orders] td").nth(1).inner_text() == "1200"
    assert summary.locator("tr[data-sheet=repair_orders] td").nth(4).inner_text() == "1"
    screenshot("import-3-summary")
    with page.expect_download() as download:
        page.get_by_test_id("error-report").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="客户档案").click()
    page.fill("main input[name=q]", "13856781234")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="张伟").first.click()
    page.wait_for_url("**/customers/*/")
    body = page.content()
    assert "XS-E2E-1" in body and "RAV4" in body
    screenshot("import-4-customer")
