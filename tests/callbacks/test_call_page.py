"""The call page: the full questionnaire, scripts, earlier callbacks and complaints, heartbeat."""

import datetime
import html
import re
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from callbacks.choices import Disposition, TaskState
from callbacks.models import CallbackTask, HotAlert
from callbacks.services import callback_attempt_record
from complaints.models import Case
from surveys.selectors import template_current_version
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _case(customer, store, n, content="保养后异响"):
    return Case.objects.create(
        case_no=f"{store.code}-{customer.pk}-{n}",
        store=store,
        customer=customer,
        channel="phone",
        category="other",
        level="C",
        content=content,
        received_at=timezone.now() - datetime.timedelta(days=30 + n),
    )


def _earlier_success(customer, store, agent, score):
    earlier = SalesTaskFactory(delivery__store=store, delivery__customer=customer)
    callback_attempt_record(
        task=earlier,
        user=agent,
        disposition=Disposition.SUCCESS,
        answers={"Q0": score, "Q3": "否", "Q11": "交车太慢"},
        at=timezone.now() - datetime.timedelta(days=40),
    )


def test_call_page_queries_do_not_grow_with_history_and_complaints(
    store_a, agent, client_for, django_assert_max_num_queries
):
    task = SalesTaskFactory(delivery__store=store_a)
    customer = task.customer
    _earlier_success(customer, store_a, agent, 9)
    _case(customer, store_a, 0)
    client = client_for(agent)
    # Session, user, permissions (1), roles, stores, bell (1), task with its alert, its delivery or
    # repair order (a second query: issue 17), questionnaire (2), settings, claim touch (the agent's
    # row lock, the task's, giving up other tasks, the claim; in a test a savepoint and its release),
    # this task's attempts, history, its answers, complaints, scripts, the task's calls (telephony's
    # panel): none per row.
    with django_assert_max_num_queries(22) as first:
        client.get(reverse("callbacks:call", args=[task.pk]))
    for i in range(5):
        _earlier_success(customer, store_a, agent, 3 + i)
        _case(customer, store_a, i + 1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(reverse("callbacks:call", args=[task.pk]))
    body = page.content.decode()
    assert body.count('class="badge text-bg-danger" title="在您购买新车前') == 6  # Q3 否 of each earlier call
    assert body.count(f"{store_a.code}-{customer.pk}-") == 6


def test_full_questionnaire_rendered_with_scripts(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a, delivery__customer__name="张伟", delivery__customer__gender="M")
    page = client_for(agent).get(reverse("callbacks:call", args=[task.pk]))
    body = page.content.decode()
    version = template_current_version(kind="sales")
    for q in version.questions.all():
        assert f'id="q-{q.code}"' in body and q.text in body
    assert body.count('class="btn btn-outline-primary answer-btn"') == 4 * 10 + 7 * 2  # 4 scores, 7 yes/no
    assert 'name="q_Q11"' in body and "textarea" in body
    assert f'name="version" value="{version.pk}"' in body
    script = body[body.index('id="script"') :]
    assert "请问是张先生吗?" in script[:400] and "回访员王丽" in script[:400]
    assert "不可以说“喂,说话呀!”" in body and "无法听清" in body and "打错电话" in body and "抱怨与投诉" in body
    assert "提车的经历" in body  # the sales closing, not the service one
    assert "维修/保养时的满意程度" not in body


def test_service_call_page_asks_the_service_questionnaire(store_a, agent, client_for):
    task = ServiceTaskFactory(repair_order__store=store_a)
    body = client_for(agent).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert "您这次到店对我们的服务总体是否满意呢?" in body
    assert 'data-value="未说明" data-key="3"' in body
    assert "维修/保养时的满意程度" in body


def test_post_whole_questionnaire_stores_response(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    version = template_current_version(kind="sales")
    data = {"disposition": "成功", "version": version.pk, "q_Q0": "10", "q_Q1": "4", "q_Q3": "是", "q_Q5": "是"}
    data["q_Q11"] = "  洗车没洗干净  "
    response = client_for(agent).post(reverse("callbacks:call", args=[task.pk]), data)
    # A hot alert keeps the agent on the (now read-only) call page, where the complaint is offered.
    assert response.status_code == 302 and response.url == reverse("callbacks:call", args=[task.pk])
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.overall_score == 10
    assert task.response.answers.get(question__code="Q11").text == "  洗车没洗干净  "
    reasons = HotAlert.objects.get(task=task).reasons
    assert [r.split("：")[0] for r in reasons] == ["Q1 4分", "Q5 是", "Q11 客户原话"]
    assert reasons[-1] == "Q11 客户原话：洗车没洗干净"  # the customer's own words travel with the alert


def test_answers_ignored_for_a_failed_attempt(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    client_for(agent).post(reverse("callbacks:call", args=[task.pk]), {"disposition": "无人接听", "q_Q0": "9"})
    task.refresh_from_db()
    assert task.failed_attempts == 1 and task.response is None


def test_bad_answers_come_back_beside_their_questions(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    data = {"disposition": "成功", "q_Q1": "8", "q_Q3": "也许", "q_Q11": "原话"}
    page = client_for(agent).post(reverse("callbacks:call", args=[task.pk]), data)
    assert page.status_code == 200
    body = page.content.decode()
    q0 = body[body.index('id="q-Q0"') : body.index('id="q-Q1"')]
    q3 = body[body.index('id="q-Q3"') : body.index('id="q-Q4"')]
    assert "必须填写总体满意度" in q0 and "应为 是 或 否" in q3
    assert 'value="8"' in body[body.index('id="q-Q1"') : body.index('id="q-Q2"')]  # kept
    assert ">原话</textarea>" in body
    task.refresh_from_db()
    assert task.state == TaskState.OPEN


def test_general_manager_may_read_but_not_record(store_a, general_manager, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    client = client_for(general_manager)
    assert client.get(reverse("callbacks:call", args=[task.pk])).status_code == 200
    assert client.post(reverse("callbacks:call", args=[task.pk]), {"disposition": "拒访"}).status_code == 403
    task.refresh_from_db()
    assert task.state == TaskState.OPEN


def test_other_store_complaints_are_not_shown(store_a, store_b, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    _case(task.customer, store_a, 0, content="本店投诉内容")
    # The same person filed at store B (a group customer): not visible to store A's agent.
    _case(task.customer, store_b, 1, content="外店投诉内容")
    body = client_for(agent).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert "本店投诉内容" in body and "外店投诉内容" not in body


# --- the claim heartbeat ------------------------------------------------------------------------


def test_heartbeat_keeps_the_claim_past_the_idle_timeout(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    long_ago = timezone.now() - datetime.timedelta(minutes=14)
    CallbackTask.objects.filter(pk=task.pk).update(claimed_by=agent, claimed_at=long_ago, last_activity_at=long_ago)
    response = client_for(agent).post(reverse("callbacks:call_touch", args=[task.pk]))
    assert response.status_code == 204
    task.refresh_from_db()
    assert task.claimed_by == agent and task.last_activity_at > timezone.now() - datetime.timedelta(seconds=30)


def test_heartbeat_warns_when_another_agent_holds_the_task(store_a, agent, client_for):
    from tests.factories import UserFactory

    other = UserFactory(username="dave", roles=["callback_agent"], stores=[store_a])
    task = SalesTaskFactory(delivery__store=store_a, claimed_by=other, last_activity_at=timezone.now())
    response = client_for(agent).post(reverse("callbacks:call_touch", args=[task.pk]))
    assert response.status_code == 200 and "已被其他专员锁定" in response.content.decode()
    task.refresh_from_db()
    assert task.claimed_by == other


def test_heartbeat_is_scoped_and_needs_post(store_a, agent_b, agent, general_manager, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    assert client_for(agent_b).post(reverse("callbacks:call_touch", args=[task.pk])).status_code == 404
    assert client_for(agent).get(reverse("callbacks:call_touch", args=[task.pk])).status_code == 405
    assert client_for(general_manager).post(reverse("callbacks:call_touch", args=[task.pk])).status_code == 403


def test_call_page_polls_the_heartbeat_only_while_open(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    client = client_for(agent)
    url = reverse("callbacks:call_touch", args=[task.pk])
    assert f'hx-post="{url}"' in client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    callback_attempt_record(task=task, user=agent, disposition=Disposition.REFUSED_SURVEY)
    assert f'hx-post="{url}"' not in client.get(reverse("callbacks:call", args=[task.pk])).content.decode()


def test_customer_unused(store_a):
    # The factory of a customer with no tasks is harmless on the page's selectors.
    from callbacks.selectors import callback_history_with_answers

    assert callback_history_with_answers(customer_id=CustomerFactory(store=store_a).pk) == []


# --- a finished task opens read-only; the complaint from a call (issue 13, items 2 and 3) -------------


def _finished_with_alert(store, agent, *, customer_name="刘洋"):
    """A sales task: one unanswered attempt, then a success with a low score and the customer's words."""
    task = SalesTaskFactory(delivery__store=store, delivery__customer__name=customer_name)
    callback_attempt_record(
        task=task, user=agent, disposition=Disposition.NO_ANSWER, note="第一次没人接",
        at=timezone.now() - datetime.timedelta(hours=3),
    )  # fmt: skip
    callback_attempt_record(
        task=task, user=agent, disposition=Disposition.SUCCESS, note="客户情绪激动",
        answers={"Q0": 3, "Q3": "否", "Q11": "提车等了两个小时，没人管"},
    )  # fmt: skip
    task.refresh_from_db()
    return task


def test_finished_task_opens_read_only_with_its_answers_and_attempts(store_a, agent, client_for):
    task = _finished_with_alert(store_a, agent)
    page = client_for(agent).get(reverse("callbacks:call", args=[task.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="call-form"' not in body and 'name="disposition"' not in body and "callbacks.js" not in body
    assert 'id="closed-notice"' in body and "回访成功" in body
    answers = body[body.index('id="task-answers"') :]
    assert "提车等了两个小时，没人管" in answers and "在您购买新车前" in answers
    attempts = body[body.index('id="task-attempts"') : body.index('id="history"')]
    assert attempts.count("<li") == 2
    assert "成功" in attempts and "无人接听" in attempts and "王丽" in attempts and "第一次没人接" in attempts
    task.refresh_from_db()
    assert task.claimed_by is None  # reading a finished task claims nothing


def test_expired_task_opens_read_only(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a, state=TaskState.CLOSED_UNSUCCESSFUL, final_disposition="未回访")
    body = client_for(agent).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert 'id="call-form"' not in body and "回访未成功" in body and "未回访" in body
    assert "本任务没有问卷回答" in body and "尚无回访记录" in body


def test_posting_to_a_finished_task_is_refused_and_records_nothing(store_a, agent, client_for):
    task = _finished_with_alert(store_a, agent)
    response = client_for(agent).post(reverse("callbacks:call", args=[task.pk]), {"disposition": "拒访"})
    assert response.status_code == 302 and response.url == reverse("callbacks:call", args=[task.pk])
    assert task.attempts.count() == 2
    task.refresh_from_db()
    assert task.state == TaskState.DONE


def test_open_task_lists_its_own_attempts_and_offers_a_complaint(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition=Disposition.BUSY_LINE, note="占线")
    task.refresh_from_db()
    task.next_attempt_at = None
    task.save()
    body = client_for(agent).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert 'id="call-form"' in body
    attempts = body[body.index('id="task-attempts"') : body.index('id="history"')]
    assert "占线" in attempts and "王丽" in attempts
    link = body[body.index('id="register-complaint"') :].split(">")[0]
    assert 'target="_blank"' in link  # the call stays open in its tab
    assert f"customer={task.customer_id}" in link and f"task={task.pk}" in link and "channel=callback" in link
    assert 'id="hot-alert"' not in body


def test_hot_alert_shown_and_complaint_prefilled_with_the_customers_words(store_a, agent, client_for):
    task = _finished_with_alert(store_a, agent)
    alert = HotAlert.objects.get(task=task)
    client = client_for(agent)
    body = client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    banner = body[body.index('id="hot-alert"') : body.index('id="complaint-action"')]
    assert "已触发回访预警" in banner and "Q0 3分" in banner and "Q11 客户原话：提车等了两个小时，没人管" in banner
    href = body[body.index('id="register-complaint"') :].split('href="')[1].split('"')[0]
    intake = client.get(href.replace("&amp;", "&"))
    form = intake.content.decode()
    assert intake.status_code == 200
    assert "提车等了两个小时，没人管" in form and "Q3 否" in form  # content: the reasons and the words
    assert f'name="hot_alert_id" value="{alert.pk}"' in form and f'name="source_task_id" value="{task.pk}"' in form
    assert 'value="callback" selected' in form
    response = client.post(
        reverse("complaints:case_create"),
        {
            "customer_id": task.customer_id,
            "vehicle_id": task.vehicle_id,
            "hot_alert_id": alert.pk,
            "source_task_id": task.pk,
            "channel": "callback",
            "category": "sales",
            "content": "Q11 客户原话：提车等了两个小时，没人管",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.hot_alert_id, case.source_task_id, case.customer_id) == (alert.pk, task.pk, task.customer_id)
    body = client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    action = body[body.index('id="complaint-action"') : body.index('id="register-complaint"')]
    assert "已登记投诉" in action and case.case_no in action


def test_finished_call_page_queries_are_bounded(store_a, agent, client_for, django_assert_max_num_queries):
    task = _finished_with_alert(store_a, agent)
    client = client_for(agent)
    # Session, user, permissions (1), roles, stores, bell (1), task with its alert, its delivery,
    # answers, attempts, history (no answers: no earlier task), complaints — no questionnaire, scripts
    # or claim; the task's calls (telephony's panel).
    with django_assert_max_num_queries(13):
        client.get(reverse("callbacks:call", args=[task.pk]))


def test_an_alert_recorded_in_english_keeps_its_reasons_in_chinese_and_the_complaint_says_each_once(
    store_a, agent, client_for
):
    """The alert's reasons are stored data: written in the default language whatever the agent's, so
    the complaint prefilled from the call (in the reader's language) lists the customer's words once."""
    with translation.override("en"):
        task = _finished_with_alert(store_a, agent)
    reasons = task.hot_alert.reasons
    assert reasons[-1] == "Q11 客户原话：提车等了两个小时，没人管"
    page = client_for(agent).get(reverse("callbacks:call", args=[task.pk]))
    query = re.search(r'id="register-complaint"[^>]*href="[^"?]*\?([^"]+)"', page.content.decode()).group(1)
    content = parse_qs(html.unescape(query))["content"][0]
    assert content.count("提车等了两个小时，没人管") == 1
