"""Browser flows of reminders: a reminder call worked from the callback queue by keyboard alone, and
the CR manager's reminder settings and festival calendar (screenshots at 1400 px and 390 px)."""

import datetime as dt

import pytest
from django.utils import timezone

from crm.periods import add_months
from retention.choices import OutreachResult, OutreachState
from retention.generation import reminders_generate
from retention.models import OutreachTask, Reminder
from tests.retention.factories import delivered_vehicle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_books_a_first_service_reminder_call_by_keyboard(
    page, live_server, login, agent, store_a, screenshot, working_hours
):
    today = timezone.localdate()
    vehicle = delivered_vehicle(store_a, delivered_on=add_months(today + dt.timedelta(days=3), -3))
    reminders_generate(day=today, stores=[store_a])
    task = OutreachTask.objects.get()
    login(agent)
    page.goto(f"{live_server.url}/callbacks/?kind=first_service")
    row = page.locator('tr[data-testid="queue-row"]')
    assert row.count() == 1 and "首保提醒" in row.inner_text()
    screenshot("retention_queue")
    page.focus("#next-call")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/retention/tasks/{task.pk}/")
    assert vehicle.owner.salutation in page.locator("#script").inner_text()
    screenshot("retention_call")
    page.keyboard.press("1")  # 已预约: its date first
    assert page.evaluate("document.activeElement.id") == "id_booked_on"
    booked = today + dt.timedelta(days=2)
    page.fill("#id_booked_on", booked.isoformat())
    page.focus("#id_booked_on")
    page.keyboard.press("Enter")
    page.wait_for_url("**/callbacks/")
    task.refresh_from_db()
    assert (task.state, task.result, task.booked_on) == (OutreachState.DONE, OutreachResult.BOOKED, booked)
    assert Reminder.objects.get().outreach_task_id == task.pk


def test_cr_manager_pages_at_desktop_and_phone_width(page, live_server, login, cr_manager, store_a, screenshot):
    login(cr_manager)
    for width, suffix in ((1400, ""), (390, "_phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/retention/settings/")
        assert page.locator("#kind-settings tbody tr").count() == 7
        screenshot(f"retention_settings{suffix}")
        page.goto(f"{live_server.url}/retention/festivals/")
        assert page.locator('[data-testid="festival-row"]').count() == 42
        screenshot(f"retention_festivals{suffix}")
        page.goto(f"{live_server.url}/reports/r/reminder_summary/")
        screenshot(f"retention_report{suffix}")
