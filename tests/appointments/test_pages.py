"""Appointment pages: the day board and the advisor's day (query counts constant in rows, state
changes), booking from the customer page and a callback call page, the outreach call page's
booking fields, the slot options, the settings page, and store scoping of every page."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.choices import AppointmentState, Source
from appointments.models import Appointment, AppointmentSettings
from appointments.services import appointment_set_state
from appointments.timeline import appointment_timeline_entries
from crm.choices import Role, StaffRole
from crm.masking import can_see_full_numbers
from crm.templatetags.crm_tags import phone
from retention.choices import OutreachKind, OutreachResult
from retention.services import outreach_task_open
from tests.appointments.factories import NOW, TOMORROW, booking, owner_with_vehicle, small_slots
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _board(store, day=TOMORROW) -> str:
    return f"{reverse('appointments:board')}?store={store.pk}&day={day.isoformat()}"


def test_the_day_board_shows_slots_and_bookings_with_constant_queries(client_for, cr_manager, store_a):
    client = client_for(cr_manager)
    advisor = StaffFactory(store=store_a, name="梁诚", role=StaffRole.SERVICE_ADVISOR)
    booking(store_a, advisor=advisor)
    few, _ = _queries(client, _board(store_a))
    for hour in (9, 10, 11, 14, 15):
        for _ in range(3):
            booking(store_a, slot=dt.time(hour, 0), advisor=advisor)
    many, response = _queries(client, _board(store_a))
    assert many == few
    html = response.content.decode()
    assert html.count('class="list-group-item d-flex') == 16
    assert "3 / 4" in html and "梁诚" in html


def test_arrived_and_cancel_from_the_board(client_for, agent, store_a):
    client = client_for(agent)
    first, second = booking(store_a), booking(store_a)
    url = reverse("appointments:set_state", args=[first.pk])
    assert client.post(url, {"state": AppointmentState.ARRIVED}).status_code == 302
    client.post(reverse("appointments:set_state", args=[second.pk]), {"state": AppointmentState.CANCELLED})
    states = dict(Appointment.objects.values_list("pk", "state"))
    assert states == {first.pk: AppointmentState.ARRIVED, second.pk: AppointmentState.CANCELLED}
    client.post(url, {"state": AppointmentState.CANCELLED})  # arrived cannot be cancelled
    assert Appointment.objects.get(pk=first.pk).state == AppointmentState.ARRIVED


def test_the_advisor_sees_his_day_only(client, store_a):
    user = UserFactory(username="sa1", roles=[Role.CONSULTANT], stores=[store_a])
    mine = StaffFactory(store=store_a, name="梁诚", role=StaffRole.SERVICE_ADVISOR, user=user)
    other = StaffFactory(store=store_a, name="周强", role=StaffRole.SERVICE_ADVISOR)
    booking(store_a, advisor=mine)
    booking(store_a, advisor=other)
    client.force_login(user)
    url = f"{reverse('appointments:my_day')}?day={TOMORROW.isoformat()}"
    few, response = _queries(client, url)
    assert response.content.decode().count('class="list-group-item d-flex') == 1
    for _ in range(4):
        booking(store_a, advisor=mine, slot=dt.time(10, 0))
    many, response = _queries(client, url)
    assert many == few
    assert response.content.decode().count('class="list-group-item d-flex') == 5


def _row_of(html: str, appointment) -> str:
    found = re.search(rf'<li [^>]*id="booking-{appointment.pk}">.*?</li>', html, re.S)
    assert found, f"no row of booking {appointment.pk}"
    return found.group(0)


def test_the_board_and_the_advisors_day_print_one_row_markup(client_for, cr_manager, store_a):
    advisor = StaffFactory(store=store_a, name="梁诚", role=StaffRole.SERVICE_ADVISOR, user=cr_manager)
    customer, _vehicle = owner_with_vehicle(store_a)
    appointment = booking(store_a, advisor=advisor, customer=customer)
    Appointment.objects.filter(pk=appointment.pk).update(note="带儿童座椅")
    client = client_for(cr_manager)
    board = client.get(_board(store_a)).content.decode()
    mine = client.get(f"{reverse('appointments:my_day')}?day={TOMORROW.isoformat()}").content.decode()
    row = _row_of(board, appointment)
    assert row == _row_of(mine, appointment)
    # What the row prints, with the page's labels and links passed to the partial.
    assert f'href="{reverse("crm:customer_detail", args=[customer.pk])}"' in row
    assert phone(customer.mobile, can_see_full_numbers(cr_manager)) in row
    assert "顾问 梁诚" in row and "带儿童座椅" in row and 'class="badge text-bg-primary state-badge"' in row
    assert f'formaction="{reverse("appointments:board")}{appointment.pk}/state/"' in row
    assert re.findall(r'data-to="(\w+)"', row) == [AppointmentState.ARRIVED, AppointmentState.CANCELLED]


def test_booking_from_the_customer_page(client_for, agent, store_a):
    customer, vehicle = owner_with_vehicle(store_a)
    client = client_for(agent)
    page = client.get(reverse("crm:customer_detail", args=[customer.pk]))
    assert f"{reverse('appointments:book')}?customer={customer.pk}" in page.content.decode()
    url = f"{reverse('appointments:book')}?customer={customer.pk}"
    form = client.get(url).content.decode()
    assert "09:00（余 4 / 4）" in form
    response = client.post(
        url,
        {
            "day": TOMORROW.isoformat(),
            "slot": "09:30",
            "service_type": "repair",
            "vehicle": vehicle.pk,
            "source": "inbound",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.slot, appointment.vehicle, appointment.source) == (dt.time(9, 30), vehicle, Source.INBOUND)


def test_booking_from_a_callback_call_page_links_the_task(client_for, agent, store_a):
    task = SalesTaskFactory(delivery__store=store_a)
    client = client_for(agent)
    call = client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    url = f"{reverse('appointments:book')}?customer={task.customer_id}&callback_task={task.pk}"
    assert url in call
    response = client.post(
        url, {"day": TOMORROW.isoformat(), "slot": "11:00", "service_type": "repair", "source": "callback"}
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.origin, appointment.source) == (task, Source.CALLBACK)


def test_a_full_slot_is_refused_on_the_booking_page(client_for, agent, store_a):
    small_slots(store_a, capacity=1)
    booking(store_a)
    customer, _vehicle = owner_with_vehicle(store_a)
    url = f"{reverse('appointments:book')}?customer={customer.pk}"
    response = client_for(agent).post(
        url, {"day": TOMORROW.isoformat(), "slot": "09:00", "service_type": "repair", "source": "walk_in"}
    )
    assert response.status_code == 400 and "已约满" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_the_slot_options_follow_the_day(client_for, agent, store_a):
    small_slots(store_a, capacity=2)
    booking(store_a)
    url = f"{reverse('appointments:slot_options')}?store={store_a.pk}&booked_on={TOMORROW.isoformat()}"
    html = client_for(agent).get(url).content.decode()
    assert '<option value="09:00">09:00（余 1 / 2）</option>' in html
    assert '<option value="10:00">10:00（余 2 / 2）</option>' in html


def _periodic_service_call(store, customer, vehicle):
    """An open 定期保养 reminder call of the customer's vehicle, in its window."""
    task, _ = outreach_task_open(
        store=store,
        kind=OutreachKind.PERIODIC_SERVICE,
        customer=customer,
        vehicle=vehicle,
        window_opens_at=NOW - dt.timedelta(hours=1),
        window_closes_at=NOW + dt.timedelta(days=5),
    )
    return task


def test_the_outreach_call_page_books_with_the_slot(client_for, agent, store_a):
    customer, vehicle = owner_with_vehicle(store_a)
    task = _periodic_service_call(store_a, customer, vehicle)
    client = client_for(agent)
    url = reverse("retention:call", args=[task.pk])
    assert 'id="id_booked_slot"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "result": OutreachResult.BOOKED,
            "booked_on": TOMORROW.isoformat(),
            "booked_slot": "10:30",
            "service_type": "maintenance",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.origin, appointment.slot, appointment.source) == (task, dt.time(10, 30), Source.REMINDER)


def test_the_settings_page_changes_the_slots(client_for, cr_manager, agent, store_a):
    url = f"{reverse('appointments:settings')}?store={store_a.pk}"
    assert client_for(agent).get(url).status_code == 403
    client = client_for(cr_manager)
    data = {"opens_at": "08:00", "closes_at": "12:00", "slot_minutes": 60, "capacity": 6}
    assert client.post(url, data).status_code == 302
    conf = AppointmentSettings.objects.get(store=store_a)
    assert conf.slots() == [dt.time(8), dt.time(9), dt.time(10), dt.time(11)] and conf.capacity == 6
    bad = client.post(url, {**data, "closes_at": "07:00"})
    assert bad.status_code == 200 and "须晚于" in bad.content.decode()


def test_every_page_is_scoped_to_the_users_stores(client_for, agent_b, store_a):
    theirs = booking(store_a)
    client = client_for(agent_b)
    assert client.get(_board(store_a)).status_code == 404
    assert client.get(f"{reverse('appointments:book')}?customer={theirs.customer_id}").status_code == 404
    assert client.get(f"{reverse('appointments:slot_options')}?store={store_a.pk}").status_code == 404
    assert client.post(reverse("appointments:set_state", args=[theirs.pk]), {"state": "cancelled"}).status_code == 404
    assert Appointment.objects.get().state == AppointmentState.BOOKED
    own = client.get(reverse("appointments:board"))
    assert own.status_code == 200 and theirs.customer.name not in own.content.decode()
    assert client.get(f"{reverse('appointments:settings')}?store={store_a.pk}").status_code == 403


def test_the_customer_timeline_shows_each_booking_with_its_state_and_only_the_users_stores(
    client_for, agent, store_a, store_b
):
    first = booking(store_a)
    customer = first.customer
    appointment_set_state(appointment=first, state=AppointmentState.CANCELLED, user=None)
    booking(store_a, customer=customer, slot=dt.time(10, 0))
    booking(store_b, customer=customer, slot=dt.time(10, 0))
    page = client_for(agent).get(reverse("crm:customer_detail", args=[customer.pk])).content.decode()
    assert "（保养）：已取消" in page
    assert "（保养）：已预约" in page
    assert store_b.name not in page  # the other store's booking stays out of store A's agent's page
    assert _board(store_a).replace("&", "&amp;") in page
    assert len(appointment_timeline_entries(customer)) == 3  # no user: everything (commands, tests)


def test_a_booking_is_changed_from_the_board_under_the_slots_capacity(client_for, agent, store_a):
    small_slots(store_a, capacity=1)
    advisor = StaffFactory(store=store_a, name="梁诚", role=StaffRole.SERVICE_ADVISOR)
    moved, blocker = booking(store_a), booking(store_a, slot=dt.time(10))
    client = client_for(agent)
    url = reverse("appointments:edit", args=[moved.pk])
    assert url in client.get(_board(store_a)).content.decode()  # reached from the day board
    assert client.get(url).status_code == 200
    full = client.post(url, {"day": TOMORROW.isoformat(), "slot": "10:00", "service_type": "repair"})
    assert full.status_code == 400 and "已约满" in full.content.decode()
    response = client.post(
        url, {"day": "2026-12-09", "slot": "10:00", "service_type": "repair", "advisor": str(advisor.pk)}
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert (moved.day, moved.slot, moved.service_type, moved.advisor, moved.state) == (
        dt.date(2026, 12, 9),
        dt.time(10),
        "repair",
        advisor,
        AppointmentState.BOOKED,
    )
    # The place it left is free again; the same slot with another advisor is no move at all.
    assert client.post(url, {"day": "2026-12-09", "slot": "10:00", "service_type": "other"}).status_code == 302
    moved.refresh_from_db()
    assert (moved.service_type, moved.advisor) == ("other", None)
    booking(store_a)  # 09:00 of tomorrow, freed by the move
    appointment_set_state(appointment=blocker, state=AppointmentState.CANCELLED, user=None)
    done = client.get(reverse("appointments:edit", args=[blocker.pk]))
    assert done.status_code == 302  # only a booking still booked is changed


def test_changing_a_booking_is_store_scoped_and_needs_the_change_permission(client_for, agent_b, store_a):
    theirs = booking(store_a)
    url = reverse("appointments:edit", args=[theirs.pk])
    assert client_for(agent_b).post(url, {"day": TOMORROW.isoformat(), "slot": "10:00"}).status_code == 404
    reader = UserFactory(roles=[Role.CONSULTANT], stores=[store_a])  # marks arrivals, books nothing
    assert client_for(reader).get(url).status_code == 403
    theirs.refresh_from_db()
    assert theirs.slot == dt.time(9)


def test_the_outreach_call_page_books_with_an_advisor(client_for, agent, store_a):
    customer, vehicle = owner_with_vehicle(store_a)
    advisor = StaffFactory(store=store_a, name="梁诚", role=StaffRole.SERVICE_ADVISOR)
    task = _periodic_service_call(store_a, customer, vehicle)
    client = client_for(agent)
    url = reverse("retention:call", args=[task.pk])
    assert "梁诚" in client.get(url).content.decode()
    data = {"result": OutreachResult.BOOKED, "booked_on": TOMORROW.isoformat(), "booked_slot": "10:30"}
    assert client.post(url, {**data, "booked_advisor": str(advisor.pk)}).status_code == 302
    assert Appointment.objects.get().advisor == advisor


def test_the_booking_page_refuses_another_customers_callback_task(client_for, agent, store_a):
    task = SalesTaskFactory(delivery__store=store_a)
    customer, _vehicle = owner_with_vehicle(store_a)
    client = client_for(agent)
    url = f"{reverse('appointments:book')}?customer={customer.pk}&callback_task={task.pk}"
    assert client.get(url).status_code == 404
    own = f"{reverse('appointments:book')}?customer={task.customer_id}&callback_task={task.pk}"
    assert client.get(own).status_code == 200
