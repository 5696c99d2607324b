"""Browser flows of service appointments: a reminder call that ends in 已预约 books a slot by
keyboard alone (date, slot with its free places, service type, Enter), and the day board with its
state changes, the booking page and the settings (screenshots zh and en at 1400 px and 390 px)."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.choices import AppointmentState, Source
from appointments.models import Appointment
from crm.choices import StaffRole
from retention.choices import OutreachKind, OutreachState
from retention.models import OutreachTask
from retention.services import outreach_task_open
from tests.appointments.factories import booking, owner_with_vehicle
from tests.factories import StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reminder_call_books_a_slot_by_keyboard(page, live_server, login, agent, store_a, screenshot, working_hours):
    now = timezone.now()
    booked_day = timezone.localdate() + dt.timedelta(days=2)
    customer, vehicle = owner_with_vehicle(store_a)
    task, _ = outreach_task_open(
        store=store_a,
        kind=OutreachKind.FIRST_SERVICE,
        customer=customer,
        vehicle=vehicle,
        window_opens_at=now - dt.timedelta(hours=1),
        window_closes_at=now + dt.timedelta(days=5),
    )
    for _ in range(3):  # 08:30 has one place left on that day
        booking(store_a, day=booked_day, slot=dt.time(8, 30), now=now)
    login(agent)
    page.goto(f"{live_server.url}/retention/tasks/{task.pk}/")
    page.keyboard.press("1")  # 已预约: its date first
    assert page.evaluate("document.activeElement.id") == "id_booked_on"
    # Typed as an agent types it: headless Chromium's date field takes month, day, year (whatever
    # the page's locale), each segment moving on to the next when full.
    page.keyboard.type(booked_day.strftime("%m%d%Y"))
    assert page.eval_on_selector("#id_booked_on", "e => e.value") == booked_day.isoformat()
    # Tab through the date's fields (year, month, day) to the slot select; leaving the date fires its
    # change, and htmx reloads the slot options of that day.
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_booked_slot":
            break
    assert page.evaluate("document.activeElement.id") == "id_booked_slot"
    page.wait_for_function(
        "document.querySelector('#id_booked_slot option[value=\"08:30\"]')?.textContent.includes('1 / 4')"
    )
    screenshot("appointments_call_booking")
    page.keyboard.press("ArrowDown")  # 08:30 (1 of 4 free)
    page.keyboard.press("ArrowDown")  # 09:00
    page.keyboard.press("Tab")  # service type
    page.keyboard.press("ArrowDown")  # 维修
    page.keyboard.press("Enter")
    page.wait_for_url("**/callbacks/")
    appointment = Appointment.objects.get(origin_id=task.pk)
    assert (appointment.day, appointment.slot, appointment.service_type, appointment.source) == (
        booked_day,
        dt.time(9, 0),
        "repair",
        Source.REMINDER,
    )
    task.refresh_from_db()
    assert task.state == OutreachState.DONE and OutreachTask.objects.count() == 1


def test_the_day_board_with_state_changes_and_its_pages_at_both_widths(
    page, live_server, login, cr_manager, store_a, screenshot, working_hours
):
    today = timezone.localdate()
    now = timezone.now()
    advisors = [
        StaffFactory(store=store_a, name=name, role=StaffRole.SERVICE_ADVISOR) for name in ("梁诚", "周强", "吴静")
    ]
    tomorrow = today + dt.timedelta(days=1)
    made = [
        booking(store_a, day=tomorrow, slot=dt.time(hour, 0), advisor=advisors[i % 3], now=now)
        for i, hour in enumerate([9, 9, 9, 10, 11, 13, 14, 14, 16])
    ]
    login(cr_manager)
    board = f"{live_server.url}/appointments/?store={store_a.pk}&day={tomorrow.isoformat()}"
    page.goto(board)
    assert page.locator("li.booking").count() == 9
    page.locator(f"#booking-{made[0].pk} button[data-to=arrived]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#booking-{made[0].pk} .state-badge").inner_text() == "已到店"
    page.locator(f"#booking-{made[1].pk} button[data-to=cancelled]").click()
    page.wait_for_load_state("networkidle")
    states = dict(Appointment.objects.values_list("pk", "state"))
    assert (states[made[0].pk], states[made[1].pk]) == (AppointmentState.ARRIVED, AppointmentState.CANCELLED)
    customer = made[2].customer
    for lang in ("zh", "en"):
        if lang == "en":
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        for width, suffix in ((1400, ""), (390, "_phone")):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(board)
            screenshot(f"appointments_board_{lang}{suffix}")
            page.goto(f"{live_server.url}/appointments/new/?customer={customer.pk}")
            screenshot(f"appointments_book_{lang}{suffix}")
            page.goto(f"{live_server.url}/appointments/settings/")
            screenshot(f"appointments_settings_{lang}{suffix}")
