"""Callback pages: permissions, store scope, query counts, the flows behind the buttons."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from callbacks.choices import Disposition, TaskState
from callbacks.models import CallbackTask, DataFixRecord, HotAlert
from callbacks.services import callback_attempt_record, callback_task_release
from tests.callbacks.factories import SalesTaskFactory

pytestmark = pytest.mark.django_db


def test_queue_lists_open_tasks_with_constant_queries(store_a, agent, client_for, django_assert_max_num_queries):
    SalesTaskFactory.create_batch(3, delivery__store=store_a)
    client = client_for(agent)
    # 11: session, user, permissions (1), role codes, stores, store settings, the queue in two
    # steps (due appointments, the rest), the counts (open, done today), the bell (1); +2: the
    # reminder / win-back calls listed after the callbacks (retention.queue); +1: their share of the counts.
    with django_assert_max_num_queries(14) as ctx:
        first = client.get(reverse("callbacks:queue"))
    SalesTaskFactory.create_batch(10, delivery__store=store_a)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("callbacks:queue"))
    assert first.status_code == 200
    assert response.content.decode().count(reverse("callbacks:call", args=[0])[:-2]) >= 13


def test_next_call_claims_and_opens_call_page(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    response = client_for(agent).post(reverse("callbacks:next_call"))
    assert response.url == reverse("callbacks:call", args=[task.pk])
    task.refresh_from_db()
    assert task.claimed_by == agent


def test_next_call_with_empty_queue_returns_to_queue(agent, client_for):
    response = client_for(agent).post(reverse("callbacks:next_call"))
    assert response.url == reverse("callbacks:queue")


def test_agent_cannot_open_other_store_task(store_a, agent_b, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    assert client_for(agent_b).get(reverse("callbacks:call", args=[task.pk])).status_code == 404


def test_call_page_query_count_and_salutation(store_a, agent, client_for, django_assert_max_num_queries):
    task = SalesTaskFactory(delivery__store=store_a, delivery__customer__name="张伟", delivery__customer__gender="M")
    callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)
    client = client_for(agent)
    with django_assert_max_num_queries(21):  # see test_call_page.py for what they are
        response = client.get(reverse("callbacks:call", args=[task.pk]))
    body = response.content.decode()
    assert "张先生" in body
    assert f'href="tel:{task.customer.mobile}"' in body


def test_post_reschedule_from_call_page(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    at = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(agent).post(
        reverse("callbacks:call", args=[task.pk]),
        {"disposition": Disposition.BUSY_APPOINTMENT, "appointment_at": at, "note": "开会"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.appointment_at is not None and task.state == TaskState.OPEN


def test_wrong_number_through_data_fix_and_back(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    client = client_for(agent)
    client.post(reverse("callbacks:call", args=[task.pk]), {"disposition": Disposition.EMPTY_NUMBER})
    record = DataFixRecord.objects.get()
    assert record.customer.name in client.get(reverse("callbacks:data_fix_list")).content.decode()
    response = client.post(
        reverse("callbacks:data_fix_edit", args=[record.pk]),
        {"corrected_mobile": "13912345678", "corrected_name": task.customer.name},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    task.customer.refresh_from_db()
    assert task.state == TaskState.OPEN
    assert task.customer.mobile == "13912345678" and not task.customer.mobile_invalid


def test_data_fix_of_another_store_is_404_and_unchanged(store_a, agent, agent_b, client_for):
    """IDOR: store B's agent neither lists, opens nor fixes store A's wrong number."""
    task = SalesTaskFactory(delivery__store=store_a)
    client_for(agent).post(reverse("callbacks:call", args=[task.pk]), {"disposition": Disposition.EMPTY_NUMBER})
    record = DataFixRecord.objects.get()
    client = client_for(agent_b)
    assert task.customer.name not in client.get(reverse("callbacks:data_fix_list")).content.decode()
    url = reverse("callbacks:data_fix_edit", args=[record.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"corrected_mobile": "13912345678"}).status_code == 404
    record.refresh_from_db()
    task.customer.refresh_from_db()
    assert record.fixed_at is None and task.customer.mobile != "13912345678"


def test_daily_report_counts_by_bucket(store_a, agent, client_for):
    for d in (Disposition.NO_ANSWER, Disposition.POWERED_OFF, Disposition.REFUSED_SURVEY):
        callback_attempt_record(task=SalesTaskFactory(delivery__store=store_a), user=agent, disposition=d)
    from callbacks.selectors import agent_daily_report

    today = timezone.localdate()
    (row,) = agent_daily_report(user=agent, date_from=today, date_to=today)
    assert (row["attempts"], row["no_answer"], row["unreachable"], row["refused"], row["success"]) == (3, 1, 1, 1, 0)
    assert client_for(agent).get(reverse("callbacks:daily_report")).status_code == 200


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_daily_report_counts_the_sms_survey_for_the_agent_whose_call_triggered_it(
    store_a, agent, cr_manager, django_capture_on_commit_callbacks
):
    from callbacks.selectors import agent_daily_report

    task = SalesTaskFactory(delivery__store=store_a, delivery__customer__mobile="13912340000")
    other = SalesTaskFactory(delivery__store=store_a)
    for user in (cr_manager, cr_manager, cr_manager, agent):  # alice makes the 4th failed call
        with django_capture_on_commit_callbacks(execute=True):
            callback_attempt_record(task=task, user=user, disposition=Disposition.NO_ANSWER)
        # The caller keeps the claim after a failed call; here he leaves the task to the next caller.
        callback_task_release(task=task, user=user)
    callback_attempt_record(task=other, user=agent, disposition=Disposition.NO_ANSWER)
    task.refresh_from_db()
    assert task.sms_survey_sent_at is not None

    today = timezone.localdate()
    rows = {r["agent_id"]: r for r in agent_daily_report(store_ids=[store_a.pk], date_from=today, date_to=today)}
    assert (rows[agent.pk]["sms_sent"], rows[cr_manager.pk]["sms_sent"]) == (1, 0)


def test_hot_alert_list_read_by_agents_closed_by_the_manager(store_a, cr_manager, agent, agent_b, client_for):
    """SPEC §1: agents open complaints from calls, so they read their stores' hot alerts; closing
    one stays the CR manager's."""
    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition="成功", answers={"Q0": 3, "Q11": "提车等了两个小时"})
    alert = HotAlert.objects.get(task=task)
    url = reverse("callbacks:hot_alert_list")
    manager_page = client_for(cr_manager).get(url).content.decode()
    assert task.customer.name in manager_page and 'name="note"' in manager_page
    agent_page = client_for(agent).get(url)
    assert agent_page.status_code == 200
    body = agent_page.content.decode()
    assert task.customer.name in body and "提车等了两个小时" in body
    assert 'name="note"' not in body and reverse("callbacks:hot_alert_close", args=[alert.pk]) not in body
    assert "登记投诉" in body and f"hot_alert={alert.pk}" in body
    close = client_for(agent).post(reverse("callbacks:hot_alert_close", args=[alert.pk]), {"note": "x"})
    assert close.status_code == 403
    assert task.customer.name not in client_for(agent_b).get(url).content.decode()  # store B's agent
    alert.refresh_from_db()
    assert alert.closed_at is None


def test_success_without_score_shows_error_not_500(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    response = client_for(agent).post(reverse("callbacks:call", args=[task.pk]), {"disposition": "成功"})
    assert response.status_code == 200
    assert "总体满意度" in response.content.decode()
    task.refresh_from_db()
    assert task.state == TaskState.OPEN


def test_manager_assigns_and_releases_in_bulk(store_a, agent, cr_manager, client_for, django_assert_max_num_queries):
    tasks = SalesTaskFactory.create_batch(3, delivery__store=store_a)
    client = client_for(cr_manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("callbacks:manager_queue")).status_code == 200
    client.post(reverse("callbacks:manager_queue"), {"task": [t.pk for t in tasks[:2]], "assignee": agent.pk})
    assert [t.assigned_to_id for t in CallbackTask.objects.order_by("pk")] == [agent.pk, agent.pk, None]
    client.post(reverse("callbacks:manager_queue"), {"task": [tasks[0].pk], "assignee": ""})
    assert CallbackTask.objects.get(pk=tasks[0].pk).assigned_to is None


def test_manager_cannot_assign_to_other_store_agent(store_a, agent_b, cr_manager, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    client_for(cr_manager).post(reverse("callbacks:manager_queue"), {"task": [task.pk], "assignee": agent_b.pk})
    task.refresh_from_db()
    assert task.assigned_to is None


def test_agent_cannot_open_manager_view(agent, client_for):
    assert client_for(agent).get(reverse("callbacks:manager_queue")).status_code == 403
