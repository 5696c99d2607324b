"""The call queue's filters (kind, about to expire, my appointments) and closing hot alerts in bulk."""

import datetime

import lxml.html
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from callbacks.choices import CallbackKind
from callbacks.hot_alerts import hot_alerts_close
from callbacks.models import HotAlert
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 10, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
HOUR = datetime.timedelta(hours=1)


def _kinds_and_ids(response) -> list[tuple[str, str]]:
    rows = lxml.html.fromstring(response.content).xpath('//tr[@data-testid="queue-row"]')
    return [(row.get("data-kind"), row.xpath(".//td")[1].text_content().strip()) for row in rows]


def _task(factory, store, name, **kwargs):
    prefix = "delivery" if factory is SalesTaskFactory else "repair_order"
    return factory(**{f"{prefix}__store": store, f"{prefix}__customer__name": name}, **kwargs)


@time_machine.travel(NOW, tick=False)
def test_filter_by_kind_and_by_expiring(client_for, agent, store_a):
    _task(SalesTaskFactory, store_a, "销一", window_closes_at=NOW + 3 * 24 * HOUR)
    _task(SalesTaskFactory, store_a, "销二", window_closes_at=NOW + 5 * HOUR)
    _task(ServiceTaskFactory, store_a, "服一", window_closes_at=NOW + 2 * 24 * HOUR)
    client = client_for(agent)
    everything = _kinds_and_ids(client.get(reverse("callbacks:queue")))
    assert {name for _, name in everything} == {"销一", "销二", "服一"}
    service = _kinds_and_ids(client.get(reverse("callbacks:queue"), {"kind": CallbackKind.SERVICE}))
    assert service == [("service", "服一")]
    expiring = _kinds_and_ids(client.get(reverse("callbacks:queue"), {"expiring": "on"}))
    assert expiring == [("sales", "销二")]
    both = _kinds_and_ids(client.get(reverse("callbacks:queue"), {"kind": "service", "expiring": "on"}))
    assert both == []


@time_machine.travel(NOW, tick=False)
def test_my_appointments_lists_mine_including_later_ones_by_time(client_for, agent, store_a, store_b):
    from tests.factories import UserFactory

    colleague = UserFactory(username="al2", roles=["callback_agent"], stores=[store_a])
    _task(SalesTaskFactory, store_a, "晚约", assigned_to=agent, appointment_at=NOW + 5 * HOUR)
    _task(SalesTaskFactory, store_a, "早约", assigned_to=agent, appointment_at=NOW - HOUR)
    _task(SalesTaskFactory, store_a, "同事", assigned_to=colleague, appointment_at=NOW + HOUR)
    _task(SalesTaskFactory, store_a, "无约", assigned_to=agent)
    page = client_for(agent).get(reverse("callbacks:queue"), {"mine": "on"})
    assert [name for _, name in _kinds_and_ids(page)] == ["早约", "晚约"]
    # The plain queue shows only what can be called now: the later appointment waits.
    names = [name for _, name in _kinds_and_ids(client_for(agent).get(reverse("callbacks:queue")))]
    assert "晚约" not in names and "早约" in names


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("params", [{}, {"kind": "sales", "expiring": "on"}, {"mine": "on"}])
def test_filtered_queue_query_count_does_not_grow(client_for, agent, store_a, params, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            _task(SalesTaskFactory, store_a, "客户", window_closes_at=NOW + 5 * HOUR, assigned_to=agent,
                  appointment_at=NOW - HOUR)  # fmt: skip

    client = client_for(agent)
    add(2)
    # 14 for the callbacks, +2 for the reminder / win-back calls listed after them (retention.queue).
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("callbacks:queue"), params)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("callbacks:queue"), params)
    assert len(_kinds_and_ids(page)) == 12


def _alert(store, **kwargs):
    task = SalesTaskFactory(delivery__store=store)
    return HotAlert.objects.create(task=task, raised_at=timezone.now(), reasons=["不满意"], **kwargs)


def test_bulk_close_closes_the_ticked_open_alerts_of_my_stores_with_the_note(client_for, cr_manager, store_a, store_b):
    first, second, untouched = _alert(store_a), _alert(store_a), _alert(store_a)
    earlier = _alert(store_a, closed_at=timezone.now() - HOUR, close_note="早已处理")
    other_store = _alert(store_b)
    response = client_for(cr_manager).post(
        reverse("callbacks:hot_alerts_close"),
        {"alert": [first.pk, second.pk, earlier.pk, other_store.pk], "note": "已电话致歉"},
    )
    assert response.status_code == 302
    for alert in (first, second, untouched, earlier, other_store):
        alert.refresh_from_db()
    assert (first.close_note, second.close_note) == ("已电话致歉", "已电话致歉")
    assert first.closed_by == cr_manager and second.closed_at is not None
    assert untouched.closed_at is None and other_store.closed_at is None
    assert earlier.close_note == "早已处理"


def test_bulk_close_needs_a_note_and_the_permission(client_for, cr_manager, general_manager, store_a):
    alert = _alert(store_a)
    client_for(cr_manager).post(reverse("callbacks:hot_alerts_close"), {"alert": [alert.pk], "note": "  "})
    alert.refresh_from_db()
    assert alert.closed_at is None
    gm = client_for(general_manager).post(reverse("callbacks:hot_alerts_close"), {"alert": [alert.pk], "note": "x"})
    assert gm.status_code == 403
    assert hot_alerts_close(alert_ids=[alert.pk], user=cr_manager, note="好") == 1
    assert hot_alerts_close(alert_ids=[alert.pk], user=cr_manager, note="再次") == 0  # closed once


def test_bulk_close_refuses_malformed_ids_and_notes_without_an_error_page(client_for, cr_manager, store_a):
    alert = _alert(store_a)
    client = client_for(cr_manager)
    url = reverse("callbacks:hot_alerts_close")
    assert client.post(url, {"alert": ["²"], "note": "好"}).status_code == 400  # "²".isdigit() is True
    assert client.post(url, {"alert": ["9" * 30], "note": "好"}).status_code == 400
    assert client.post(url, {"alert": [alert.pk], "note": "好\x00"}).status_code == 302  # a message, no 500
    alert.refresh_from_db()
    assert alert.closed_at is None


def test_alert_list_query_count_does_not_grow(client_for, cr_manager, store_a, django_assert_max_num_queries):
    for _ in range(2):
        _alert(store_a)
    client = client_for(cr_manager)
    # 14 for the callbacks, +2 for the reminder / win-back calls listed after them (retention.queue).
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("callbacks:hot_alert_list"))
    for _ in range(10):
        _alert(store_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = lxml.html.fromstring(client.get(reverse("callbacks:hot_alert_list")).content)
    assert len(page.xpath('//tr[@data-testid="alert-row"]')) == 12
    assert len(page.xpath('//input[@name="alert"][@form="bulk-close"]')) == 12
