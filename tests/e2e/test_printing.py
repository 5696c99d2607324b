"""Complaint reporting cadence and printing in the browser (issue 14 items 6, 7): the quarterly
report with its charts, the weekly callback report, and the print views — the report, the
complaint's table-6 form — in print media (no menu, no buttons) and as A4 PDFs."""

import datetime as dt

import pytest

from callbacks.choices import TaskState
from complaints.choices import CaseState, Category, FinalResult
from crm.choices import DepartmentKind, Role
from tests.factories import DepartmentFactory, UserFactory
from tests.reports.builders import consultant, local, service_task
from tests.reports.factories import make_case

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _q3_cases(store):
    handler = UserFactory(username="sam", display_name="周顾问", roles=[Role.CONSULTANT], stores=[store])
    service = DepartmentFactory(store=store, kind=DepartmentKind.SERVICE)
    sales = DepartmentFactory(store=store, kind=DepartmentKind.SALES)
    categories = [Category.REPAIR_QUALITY, Category.ATTITUDE, Category.FEES, Category.SALES]
    cases = []
    for i in range(14):
        received = local(2026, 7 + i % 3, 3 + i, 9, 0)
        dispatched = received + dt.timedelta(minutes=10 if i % 3 else 50)
        contact = received + dt.timedelta(hours=3 if i % 4 else 26)
        finished = i % 2 == 0
        cases.append(
            make_case(
                store=store,
                received_at=received,
                category=categories[i % 4],
                department=sales if categories[i % 4] == Category.SALES else service,
                handler=handler,
                dispatched_at=dispatched,
                dispatch_due_at=received + dt.timedelta(minutes=30),
                first_contact_at=contact,
                first_contact_warn_at=received + dt.timedelta(hours=20),
                first_contact_due_at=received + dt.timedelta(hours=24),
                feedback_at=dispatched + dt.timedelta(hours=30),
                feedback_due_at=dispatched + dt.timedelta(hours=48),
                closed_at=(received + dt.timedelta(days=3)) if finished else None,
                state=CaseState.CLOSED if finished else CaseState.IN_PROGRESS,
                final_result=FinalResult.SATISFIED if finished and i % 4 == 0 else "",
            )
        )
    return cases


def _print_media_checks(page):
    page.emulate_media(media="print")
    assert page.locator("[data-testid=print-button]").first.is_hidden()
    nav = page.locator(".app-navbar")
    assert nav.count() == 0 or nav.is_hidden()
    assert (
        page.locator("form[data-testid=report-filters]").count() == 0
        or page.locator("form[data-testid=report-filters]").is_hidden()
    )


def test_quarterly_report_with_charts_prints_without_the_menu(
    page, live_server, login, cr_manager, store_a, screenshot
):
    _q3_cases(store_a)
    login(cr_manager)
    page.goto(f"{live_server.url}/reports/")
    page.click("[data-name=complaints_quarterly] a")
    page.select_option("select[name=quarter]", "3")
    page.fill("input[name=year]", "2026")
    page.click("form[data-testid=report-filters] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "2026年第3季度" in page.locator("h2").first.inner_text()
    assert page.locator("[data-testid=chart-sla]").is_visible()
    assert page.locator("[data-testid=report-table] thead th").all_inner_texts()[2:5] == ["7月", "8月", "9月"]
    received = page.locator("[data-testid=report-row]").first.locator("td").all_inner_texts()
    assert received[1:6] == ["受理投诉", "5", "5", "4", "14"]
    screenshot("cpreports_quarterly_zh_1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("cpreports_quarterly_zh_390")
    page.set_viewport_size({"width": 1400, "height": 900})
    _print_media_checks(page)
    screenshot("cpreports_quarterly_print")
    page.pdf(path=str(SCREENSHOTS / "cpreports_quarterly.pdf"), format="A4", print_background=True)

    page.emulate_media(media="screen")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/reports/r/complaints_annual/?year=2026")
    assert "Annual complaint report" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=report-table] thead th").all_inner_texts()[2:4] == ["Jan", "Feb"]
    screenshot("cpreports_annual_en_1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("cpreports_annual_en_390")


def test_table_six_form_prints_as_the_paper_form(page, live_server, login, cr_manager, store_a, screenshot):
    case = _q3_cases(store_a)[0]
    login(cr_manager)
    page.goto(f"{live_server.url}/complaints/cases/{case.pk}/")
    page.click("[data-testid=case-print-form]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=form-case-no]").inner_text() == case.case_no
    assert page.locator("[data-testid=print-button]").is_visible()
    screenshot("cpreports_form6_zh_1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("cpreports_form6_zh_390")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.emulate_media(media="print")
    assert page.locator("[data-testid=print-toolbar]").is_hidden()
    screenshot("cpreports_form6_print")
    page.pdf(path=str(SCREENSHOTS / "cpreports_form6.pdf"), format="A4", print_background=True)
    page.emulate_media(media="screen")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.reload()
    assert "Urgent complaint handling form" in page.locator("h1").inner_text()
    screenshot("cpreports_form6_en_1400")


def test_service_manager_reads_the_weekly_callback_report(
    page, live_server, login, department_manager, store_a, screenshot
):
    for name, scores in (("周顾问", [9, 10, 4, None]), ("吴顾问", [8, 6, 10]), ("郑顾问", [3, 9])):
        advisor = consultant(store_a, name)
        for i, score in enumerate(scores):
            done = score is not None
            service_task(
                store=store_a,
                advisor=advisor,
                delivered_at=local(2026, 10, 5 + i, 15, 0),
                state=TaskState.DONE if done else TaskState.CLOSED_UNSUCCESSFUL,
                attempts=["成功"] if done else ["无人接听"],
                score=score,
                closes=local(2026, 10, 20, 0, 0),
            )
    login(department_manager)
    page.goto(f"{live_server.url}/reports/callbacks/weekly/?week=2026-10-07")
    assert page.locator("[data-testid=chart-advisors]").is_visible()
    tables = page.locator("[data-testid=report-table]")
    assert tables.count() == 2
    assert tables.nth(1).locator("[data-testid=report-row]").count() == 2  # the 4 and the 3
    screenshot("cpreports_callbacks_weekly_zh_1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("cpreports_callbacks_weekly_zh_390")
    page.set_viewport_size({"width": 1400, "height": 900})
    _print_media_checks(page)
    screenshot("cpreports_callbacks_weekly_print")
