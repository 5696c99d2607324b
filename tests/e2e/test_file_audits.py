"""Browser flow (SPEC §10.4): an agent opens the week's file-audit checklist from 档案检核, marks a
file 异常 with a description, a measure and the staff member responsible, and saves; the week's row
then counts it. Screenshots at 1400 px and 390 px."""

import datetime as dt

import pytest

from improvement import audits
from improvement.choices import AuditStatus
from improvement.models import FileAudit
from tests.factories import DeliveryFactory, RepairOrderFactory, StaffFactory
from tests.improvement.factories import local

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WEEK = dt.date(2026, 10, 26)


def test_agent_checks_the_weeks_files(page, live_server, login, store_a, agent, screenshot):
    for i in range(3):
        DeliveryFactory(store=store_a, delivery_no=f"XS2026{i:04d}", delivered_on=WEEK + dt.timedelta(days=i))
        RepairOrderFactory(store=store_a, ro_no=f"GD2026{i:04d}", delivered_at=local(2026, 10, 27 + i, 16))
    audits.file_audit_sample(store=store_a, week=WEEK)
    staff = StaffFactory(store=store_a, name="王销售")
    first = FileAudit.objects.filter(store=store_a).order_by("position").first()

    login(agent)
    page.goto(f"{live_server.url}/improvement/audits/")
    page.click("[data-testid=audit-week-row] >> text=检核清单")
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=audit-row]")
    assert rows.count() == 6
    row = rows.first
    row.locator("select[name$=status]").select_option(AuditStatus.ABNORMAL)
    row.locator("textarea[name$=abnormal_description]").fill("交车确认单缺客户签字")
    row.locator("textarea[name$=improvement_measure]").fill("补签，交车前核对")
    row.locator("select[name$=responsible]").select_option(str(staff.pk))
    for i in range(1, 6):
        rows.nth(i).locator("select[name$=status]").select_option(AuditStatus.NORMAL)
    page.click("[data-testid=audit-save]")
    page.wait_for_load_state("networkidle")
    first.refresh_from_db()
    assert (first.status, first.responsible, first.checked_by) == (AuditStatus.ABNORMAL, staff, agent)
    screenshot("improvement_audit_checklist_1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("improvement_audit_checklist_390")
    page.goto(f"{live_server.url}/improvement/audits/")
    week_row = page.locator("[data-testid=audit-week-row]").first.inner_text()
    assert "6" in week_row and "1" in week_row
    screenshot("improvement_audit_weeks_390")
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot("improvement_audit_weeks_1400")
