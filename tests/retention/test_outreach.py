"""Outreach tasks (reminder and win-back calls): opening with a key, the claim rule, recording results,
the signal, and the pages — the queue, the call page, settings, festivals — scoped to the user's stores."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.choices import Role
from retention import services
from retention.choices import OutreachKind as K
from retention.choices import OutreachResult as R
from retention.choices import OutreachState
from retention.models import FestivalDate, OutreachAttempt, ReminderKindSetting, ReminderSettings
from tests.factories import CustomerFactory, UserFactory, VehicleFactory
from tests.retention.factories import SHANGHAI

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 3, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def open_task(store, kind=K.FIRST_SERVICE, key="", **kw):
    customer = CustomerFactory(store=store)
    task, _created = services.outreach_task_open(
        store=store,
        kind=kind,
        customer=customer,
        vehicle=VehicleFactory(store=store, owner=customer) if kind != K.BIRTHDAY else None,
        window_opens_at=NOW - dt.timedelta(days=2),
        window_closes_at=NOW + dt.timedelta(days=5),
        key=key,
        **kw,
    )
    return task


def test_open_with_a_key_is_idempotent(store_a):
    task = open_task(store_a, key="winback:1")
    again, created = services.outreach_task_open(
        store=store_a,
        kind=K.WINBACK,
        customer=task.customer,
        window_opens_at=NOW,
        window_closes_at=NOW + dt.timedelta(days=1),
        key="winback:1",
    )
    assert (again.pk, created) == (task.pk, False)


def test_booked_needs_its_date_and_ends_the_task_and_the_signal_fires(store_a, agent):
    task = open_task(store_a)
    heard = []

    def receiver(sender, task, attempt, **kwargs):
        heard.append((sender, task.pk, attempt.result))

    services.outreach_attempt_recorded.connect(receiver)
    try:
        with pytest.raises(ValidationError):
            services.outreach_attempt_record(task=task, user=agent, result=R.BOOKED)
        services.outreach_attempt_record(task=task, user=agent, result=R.BOOKED, booked_on=dt.date(2026, 6, 6))
    finally:
        services.outreach_attempt_recorded.disconnect(receiver)
    task.refresh_from_db()
    assert (task.state, task.result, task.booked_on) == (OutreachState.DONE, R.BOOKED, dt.date(2026, 6, 6))
    assert heard == [(K.FIRST_SERVICE, task.pk, R.BOOKED)]


def test_a_reminder_offers_the_reminder_results_only(store_a, agent):
    task = open_task(store_a)
    with pytest.raises(ValidationError):
        services.outreach_attempt_record(task=task, user=agent, result=R.INTERESTED)


def test_unreachable_returns_the_task_after_the_gap_and_closes_it_after_the_maximum(store_a, agent):
    task = open_task(store_a)
    for _ in range(4):
        services.outreach_attempt_record(task=task, user=agent, result=R.UNREACHABLE)
        task.refresh_from_db()
        if task.state != OutreachState.OPEN:
            break
        assert task.next_attempt_at == timezone.now() + dt.timedelta(hours=2)
        assert services.outreach_task_claim_next(user=agent) is None  # not before the gap
    assert (task.state, task.result, task.failed_attempts) == (OutreachState.CLOSED, R.UNREACHABLE, 4)


def test_a_task_another_agent_holds_is_refused_and_next_call_skips_it(store_a, agent):
    other = UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])
    task = open_task(store_a)
    claimed = services.outreach_task_claim_next(user=other)
    assert claimed.pk == task.pk
    assert services.outreach_task_claim_next(user=agent) is None
    with pytest.raises(services.TaskHeldByOther):
        services.outreach_attempt_record(task=task, user=agent, result=R.REMINDED)
    # Idle past the store's claim timeout (15 minutes): the claim lapses.
    with time_machine.travel(NOW + dt.timedelta(minutes=16), tick=False):
        assert services.outreach_task_claim_next(user=agent).pk == task.pk


def test_queue_lists_reminder_calls_with_their_kind_and_filters_by_kind(store_a, store_b, agent, client_for):
    mine = open_task(store_a, K.INSURANCE)
    open_task(store_b, K.INSURANCE)
    client = client_for(agent)
    html = client.get(reverse("callbacks:queue")).content.decode()
    rows = re.findall(r'<tr data-testid="queue-row" data-kind="(\w+)"', html)
    assert rows == [K.INSURANCE]
    assert f'href="{reverse("retention:call", args=[mine.pk])}"' in html
    assert "续保提醒" in html
    filtered = client.get(reverse("callbacks:queue"), {"kind": K.BIRTHDAY}).content.decode()
    assert 'data-testid="queue-row"' not in filtered
    sales_only = client.get(reverse("callbacks:queue"), {"kind": "sales"}).content.decode()
    assert 'data-testid="queue-row"' not in sales_only


def test_next_call_takes_a_reminder_call_when_no_callback_waits(store_a, agent, client_for):
    task = open_task(store_a)
    response = client_for(agent).post(reverse("callbacks:next_call"))
    assert response.url == reverse("retention:call", args=[task.pk])
    task.refresh_from_db()
    assert task.claimed_by == agent


def test_call_page_records_a_booking_and_another_stores_task_is_404(store_a, store_b, agent, client_for):
    task = open_task(store_a)
    foreign = open_task(store_b)
    client = client_for(agent)
    page = client.get(reverse("retention:call", args=[task.pk])).content.decode()
    assert "首保提醒" in page and task.customer.salutation in page  # the kind and its script, filled in
    assert client.get(reverse("retention:call", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("retention:call", args=[task.pk]), {"result": R.BOOKED, "booked_on": "2026-06-05"})
    assert response.status_code == 302
    attempt = OutreachAttempt.objects.get()
    assert (attempt.user, attempt.booked_on) == (agent, dt.date(2026, 6, 5))
    closed = client.get(reverse("retention:call", args=[task.pk])).content.decode()
    assert 'id="closed-notice"' in closed


def test_call_page_queries_do_not_grow_with_attempts(store_a, agent, client_for, django_assert_max_num_queries):
    task = open_task(store_a)
    client = client_for(agent)
    client.get(reverse("retention:call", args=[task.pk]))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("retention:call", args=[task.pk]))
    for _ in range(3):
        OutreachAttempt.objects.create(task=task, user=agent, contacted_at=NOW, result=R.UNREACHABLE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("retention:call", args=[task.pk]))


def test_settings_page_saves_numbers_and_kinds_and_agents_may_not(store_a, store_b, cr_manager, agent, client_for):
    client = client_for(cr_manager)
    url = reverse("retention:settings")
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "n-first_service_months": 4,
        "n-periodic_service_months": 6,
        "n-inspection_interval_years": 2,
        "n-warranty_years": 3,
        "n-warranty_km": 100000,
        "n-return_window_days": 20,
    }
    for kind in (
        "first_service",
        "periodic_service",
        "insurance",
        "inspection",
        "warranty_end",
        "birthday",
        "festival",
    ):
        data |= {f"{kind}-enabled": "on", f"{kind}-lead_days": 10, f"{kind}-channel": "both"}
    del data["festival-enabled"]
    assert client.post(url, data).status_code == 302
    numbers = ReminderSettings.objects.get(store=store_a)
    assert (numbers.first_service_months, numbers.warranty_km) == (4, 100000)
    festival = ReminderKindSetting.objects.get(store=store_a, kind=K.FESTIVAL)
    assert (festival.enabled, festival.lead_days, festival.channel) == (False, 10, "both")
    assert client.get(url, {"store": store_b.pk}).status_code == 404
    assert client_for(agent).get(url).status_code == 403


def test_festival_calendar_is_seeded_and_edited_per_store(store_a, store_b, cr_manager, client_for):
    client = client_for(cr_manager)
    url = reverse("retention:festivals")
    page = client.get(url).content.decode()
    assert page.count('data-testid="festival-row"') == FestivalDate.objects.filter(store=store_a).count() == 42
    client.post(url, {"festival": "mid_autumn", "date": "2031-10-01"})
    assert FestivalDate.objects.filter(store=store_a, date=dt.date(2031, 10, 1)).exists()
    foreign = FestivalDate.objects.create(store=store_b, festival="spring", date=dt.date(2031, 1, 23))
    assert client.post(url, {"delete": foreign.pk}).status_code == 404
    day = FestivalDate.objects.filter(store=store_a).first()
    client.post(url, {"delete": day.pk})
    assert not FestivalDate.objects.filter(pk=day.pk).exists()


def test_the_general_manager_reads_the_call_page_without_taking_the_task(store_a, general_manager, client_for):
    task = open_task(store_a)
    assert client_for(general_manager).get(reverse("retention:call", args=[task.pk])).status_code == 200
    task.refresh_from_db()
    assert task.claimed_by is None
    response = client_for(general_manager).post(reverse("retention:call", args=[task.pk]), {"result": R.REMINDED})
    assert response.status_code == 403


def test_heartbeat_keeps_the_claim_past_the_idle_timeout(store_a, agent, client_for):
    task = open_task(store_a)
    services.outreach_task_touch(task=task, user=agent)
    url = reverse("retention:call_touch", args=[task.pk])
    page = client_for(agent).get(reverse("retention:call", args=[task.pk])).content.decode()
    assert f'hx-post="{url}"' in page
    with time_machine.travel(NOW + dt.timedelta(minutes=14), tick=False):
        assert client_for(agent).post(url).status_code == 204
    task.refresh_from_db()
    assert task.claimed_by == agent and task.claimed_at == NOW + dt.timedelta(minutes=14)
    # 14 minutes after the heartbeat, 28 after the page opened, another agent still cannot take it.
    other = UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])
    with time_machine.travel(NOW + dt.timedelta(minutes=28), tick=False):
        assert services.outreach_task_claim_next(user=other) is None


def test_heartbeat_warns_when_another_agent_holds_the_task_and_is_scoped(
    store_a, agent, agent_b, general_manager, client_for
):
    other = UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])
    task = open_task(store_a)
    services.outreach_task_touch(task=task, user=other)
    url = reverse("retention:call_touch", args=[task.pk])
    response = client_for(agent).post(url)
    assert response.status_code == 200 and "已被其他专员锁定" in response.content.decode()
    task.refresh_from_db()
    assert task.claimed_by == other
    assert client_for(agent_b).post(url).status_code == 404
    assert client_for(agent).get(url).status_code == 405
    assert client_for(general_manager).post(url).status_code == 403
