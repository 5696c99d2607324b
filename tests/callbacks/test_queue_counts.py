"""The queue page: its header counts (callback_queue_counts, two queries whatever the size) and its list."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from callbacks.choices import Disposition, TaskState
from callbacks.models import CallAttempt, CallbackTask
from callbacks.selectors import callback_queue, callback_queue_counts
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _done(task, *, agent, at):
    CallAttempt.objects.create(task=task, agent=agent, at=at, disposition=Disposition.SUCCESS)
    CallbackTask.objects.filter(pk=task.pk).update(state=TaskState.DONE, completed_at=at)


def test_counts_due_appointments_expiring_and_done_by_me_today(store_a, store_b, agent, django_assert_num_queries):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    colleague = UserFactory(stores=[store_a])
    SalesTaskFactory(delivery__store=store_a)  # due
    SalesTaskFactory(delivery__store=store_a, appointment_at=now - hour)  # due, an appointment
    SalesTaskFactory(delivery__store=store_a, window_closes_at=now + 2 * hour)  # due, about to expire
    SalesTaskFactory(delivery__store=store_a, assigned_to=agent)  # due, mine
    SalesTaskFactory(delivery__store=store_a, assigned_to=colleague)  # someone else's
    SalesTaskFactory(delivery__store=store_a, window_opens_at=now + hour)  # window not open yet
    SalesTaskFactory(delivery__store=store_b)  # another store
    _done(SalesTaskFactory(delivery__store=store_a), agent=agent, at=now - 0.1 * hour)  # done by me today
    _done(SalesTaskFactory(delivery__store=store_a), agent=colleague, at=now - 0.1 * hour)  # by a colleague
    _done(SalesTaskFactory(delivery__store=store_a), agent=agent, at=now - 50 * hour)  # done by me, not today

    # The roles and stores of the user, then the open tasks' counts and the tasks done today.
    with django_assert_num_queries(4):
        counts = callback_queue_counts(user=agent, now=now)

    assert counts == {"due_today": 4, "done_today": 1, "appointments": 1, "about_to_expire": 1}


def test_queue_page_lists_due_appointments_first_then_closing_soonest_then_oldest(store_a, agent):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    later = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + 3 * day)
    soon_old = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + day)
    soon_new = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + day)
    appointment = SalesTaskFactory(
        delivery__store=store_a, window_closes_at=now + 3 * day, appointment_at=now - datetime.timedelta(minutes=5)
    )
    SalesTaskFactory(delivery__store=store_a, appointment_at=now + datetime.timedelta(hours=1))  # not yet due

    def ids(rows):
        return [row["id"] for row in rows]

    assert ids(callback_queue(user=agent, now=now)) == [appointment.pk, soon_old.pk, soon_new.pk, later.pk]
    # The page size cuts across the steps: the appointment, then the first by closing window.
    assert ids(callback_queue(user=agent, now=now, limit=2)) == [appointment.pk, soon_old.pk]
    assert ids(callback_queue(user=agent, now=now, limit=1)) == [appointment.pk]


SHANGHAI = ZoneInfo("Asia/Shanghai")


# Late in the evening in Shanghai: the local dates differ from the UTC ones, so a row that printed
# UTC would show the wrong day.
@time_machine.travel(datetime.datetime(2026, 11, 20, 23, 30, tzinfo=SHANGHAI), tick=False)
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ("销售回访", "售后回访", "任何人", "回访")),
        ("en", ("Sales callback", "Service callback", "Anyone", "Call")),
    ],
)
def test_queue_rows_print_kind_customer_vehicle_local_dates_assignee_and_link(
    store_a, agent, client_for, language, words
):
    sales_label, service_label, anyone, call = words
    no_plate = SalesTaskFactory(
        delivery__store=store_a,
        delivery__customer__name="张伟",
        delivery__vehicle__plate="",
        delivery__vehicle__series="凯美瑞",
        appointment_at=datetime.datetime(2026, 11, 20, 23, 10, tzinfo=SHANGHAI),
        window_closes_at=datetime.datetime(2026, 11, 22, 0, 30, tzinfo=SHANGHAI),
        failed_attempts=2,
    )
    mine = ServiceTaskFactory(
        repair_order__store=store_a,
        repair_order__vehicle__plate="皖N12345",
        assigned_to=agent,
        window_closes_at=datetime.datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI),
    )
    client = client_for(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    html = client.get(reverse("callbacks:queue")).content.decode()

    rows = re.findall(r"<tr data-testid=\"queue-row\"[^>]*>\s*(.*?)</tr>", html.split("<tbody>")[1], re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows
    ]
    # The appointment first (QUEUE_STEPS), then the rest; dates in Shanghai time.
    assert cells == [
        [sales_label, "张伟", f"{no_plate.vehicle.vin} 凯美瑞", "11-20 23:10", "11-22", "2", anyone, call],
        [service_label, mine.customer.name, "皖N12345 卡罗拉", "", "11-21", "0", "王丽", call],
    ]
    assert f'href="{reverse("callbacks:call", args=[no_plate.pk])}"' in rows[0]
    assert f'href="{reverse("callbacks:call", args=[mine.pk])}"' in rows[1]


def test_queue_page_queries_do_not_grow_with_its_rows(store_a, agent, client_for, django_assert_num_queries):
    # Session, user, permissions (1: crm.authentication), role codes, stores, store settings, the queue's
    # two steps (due appointments, the rest), the counts (open tasks, done today), the bell (1), and the
    # reminder / win-back calls (retention.queue: their rows, and the stores' claim timeout), and
    # their share of the header's counts (one query).
    queries = 14
    SalesTaskFactory(delivery__store=store_a)
    client = client_for(agent)
    with django_assert_num_queries(queries):
        assert client.get(reverse("callbacks:queue")).content.decode().count('data-testid="queue-row"') == 1
    past = timezone.now() - datetime.timedelta(minutes=5)
    SalesTaskFactory.create_batch(10, delivery__store=store_a, appointment_at=past)
    ServiceTaskFactory.create_batch(100, repair_order__store=store_a)
    # A page full of callbacks leaves no room for reminder / win-back calls: their two queries go.
    with django_assert_num_queries(queries - 2):
        html = client.get(reverse("callbacks:queue")).content.decode()
    assert html.count('data-testid="queue-row"') == 100  # a full page: the queue's size is QUEUE_PAGE_SIZE


def test_open_task_counts_read_the_open_queue_index_alone(store_a, agent):
    """The counts of open tasks are an index-only scan of cbtask_open_queue_idx (it includes every
    column they read): at scale this spares a heap visit per open task of the store (issue 17)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    SalesTaskFactory.create_batch(3, delivery__store=store_a)
    with CaptureQueriesContext(connection) as ctx:
        callback_queue_counts(user=agent)
    (open_counts,) = [q["sql"] for q in ctx.captured_queries if "due_today" in q["sql"]]
    with connection.cursor() as cursor:
        # A test database is small enough for a sequential scan: forbid the other plans to see
        # whether the index can answer alone.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {open_counts}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using cbtask_open_queue_idx" in plan, plan
