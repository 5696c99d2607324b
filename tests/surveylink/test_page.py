"""The customer's survey page: works once, expires with the window, reveals nothing, same rules as a
call (issue 16 item 4)."""

import datetime

import pytest
import time_machine
from django.test import Client

from callbacks.choices import AttemptSource, Disposition, TaskState
from callbacks.models import CallAttempt, CallbackTask, HotAlert
from callbacks.services import callback_attempt_record
from surveylink import throttle
from surveylink.models import SurveyLink
from surveys.choices import ResponseSource
from surveys.models import Response
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.conftest import clear_own_cache
from tests.surveylink.helpers import DAY, SALES_HAPPY, make_link, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_throttle():
    clear_own_cache()
    yield
    clear_own_cache()


@pytest.fixture
def task(store_a):
    with time_machine.travel(DAY, tick=False):
        return SalesTaskFactory(
            delivery__store=store_a,
            delivery__customer__name="张伟",
            delivery__customer__mobile="13912345678",
            delivery__vehicle__model="凯美瑞 2.0G",
            delivery__vehicle__plate="皖N12345",
        )


@pytest.fixture
def link(task):
    return make_link(task)


@pytest.fixture
def at_day():
    with time_machine.travel(DAY + datetime.timedelta(hours=1), tick=False):
        yield


def test_page_shows_store_vehicle_and_questions_and_nothing_of_the_customer(
    client, link, task, at_day, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get(page_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "六安鑫宝丰田" in text and "凯美瑞 2.0G" in text
    assert "综合考虑,您对本次购车经历的总体满意程度如何?" in text and 'name="q_Q11"' in text
    for secret in ("张伟", "13912345678", "皖N12345", task.vehicle.vin, f"/{task.pk}/"):
        assert secret not in text
    assert response["Cache-Control"].startswith("max-age=0") and response["Referrer-Policy"] == "same-origin"
    link.refresh_from_db()
    assert link.first_opened_at is not None


def test_page_queries_do_not_grow_with_the_questionnaire(client, store_a, at_day, django_assert_max_num_queries):
    """A service questionnaire (a choice question too) costs the same queries as a sales one."""
    with time_machine.travel(DAY, tick=False):
        service_task = ServiceTaskFactory(repair_order__store=store_a)
    make_link(service_task, token="service-token-123")
    with django_assert_max_num_queries(4):
        response = client.get(page_url("service-token-123"))
    assert "详细说明" in response.content.decode()


def test_answers_are_recorded_once_as_a_web_success(client, link, task, at_day):
    response = client.post(page_url(), SALES_HAPPY)
    assert response.status_code == 302 and response["Location"] == page_url()
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.final_disposition == Disposition.SMS_REPLY
    assert task.overall_score == 9 and task.last_bucket == "success" and not task.has_grumble
    attempt = CallAttempt.objects.get(task=task)
    assert attempt.source == AttemptSource.WEB and attempt.agent is None
    survey = Response.objects.get()
    assert survey.source == ResponseSource.WEB and survey.version == link.version
    assert {a.question.code: a.display for a in survey.answers.select_related("question")} == {
        "Q0": "9",
        "Q1": "10",
        "Q3": "是",
        "Q5": "否",
        "Q11": "挺好的",
    }
    link.refresh_from_db()
    assert link.answered_at is not None
    # The next visit thanks the customer; a second submit is refused and records nothing.
    again = client.get(page_url())
    assert again.status_code == 200 and "您已完成本次问卷" in again.content.decode()
    refused = client.post(page_url(), {**SALES_HAPPY, "q_Q0": "2"})
    assert refused.status_code == 200 and "您已完成本次问卷" in refused.content.decode()
    assert CallAttempt.objects.count() == 1 and Response.objects.count() == 1
    task.refresh_from_db()
    assert task.overall_score == 9


def test_low_score_and_negative_answer_raise_the_hot_alert(client, link, task, at_day):
    client.post(page_url(), {"q_Q0": "3", "q_Q3": "否", "q_Q11": "交车太慢了"})
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.has_grumble
    alert = HotAlert.objects.get(task=task)
    assert alert.reasons[0].startswith("Q0 3分") and any(r.startswith("Q3 否") for r in alert.reasons)
    assert alert.reasons[-1] == "Q11 客户原话：交车太慢了"


def test_missing_overall_answer_is_refused_with_the_question_marked(client, link, task, at_day):
    response = client.post(page_url(), {"q_Q1": "8", "q_Q3": "是"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "此题为必答题" in text and "（Q0）" not in text and 'data-testid="survey-errors"' in text
    assert 'value="8" autocomplete="off" checked' in text  # what was ticked stays ticked
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and not CallAttempt.objects.exists()
    assert SurveyLink.objects.get().answered_at is None


@pytest.mark.parametrize("posted", [{"q_Q0": "11"}, {"q_Q0": "9", "q_Q3": "也许"}, {"q_Q0": "9", "q_Q11": "a\x00b"}])
def test_invalid_answers_record_nothing(client, link, task, at_day, posted):
    assert client.post(page_url(), posted).status_code == 400
    assert not CallAttempt.objects.exists() and not Response.objects.exists()


def test_link_expires_with_the_callback_window(client, link, task):
    after = task.window_closes_at + datetime.timedelta(seconds=1)
    with time_machine.travel(after, tick=False):
        response = client.get(page_url())
        assert response.status_code == 410 and "本问卷已截止" in response.content.decode()
        assert client.post(page_url(), SALES_HAPPY).status_code == 410
    with time_machine.travel(task.window_closes_at - datetime.timedelta(seconds=1), tick=False):
        assert client.get(page_url()).status_code == 200
    assert not CallAttempt.objects.exists()


def test_task_done_by_a_call_thanks_the_customer_and_refuses_the_form(client, link, task, agent, at_day):
    callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers={"overall": 10})
    response = client.post(page_url(), SALES_HAPPY)
    assert response.status_code == 200 and "您已完成本次问卷" in response.content.decode()
    assert CallAttempt.objects.count() == 1


def test_task_closed_otherwise_shows_the_link_expired(client, link, task, at_day):
    CallbackTask.objects.filter(pk=task.pk).update(state=TaskState.CLOSED_UNSUCCESSFUL)
    assert client.get(page_url()).status_code == 410


@pytest.mark.parametrize("token", ["tok-A1b2C3d4E5f7", "x", "%E4%B8%AD" * 3, "a" * 200, "tok-A1b2C3d4E5f6.."])
def test_wrong_or_garbled_token_is_a_plain_404(client, link, at_day, token):
    response = client.get(f"/s/{token}/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "链接无效" in text and "六安鑫宝丰田" not in text and "csrfmiddlewaretoken" not in text


def test_guessing_is_rate_limited_per_ip(client, link, at_day, monkeypatch):
    monkeypatch.setattr(throttle, "MISS_LIMIT", 3)
    for n in range(3):
        assert client.get(f"/s/guess-{n:012d}/").status_code == 404
    # Past the limit even the right token is refused from that address, without a lookup.
    assert client.get(page_url()).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(page_url()).status_code == 200


def test_page_speaks_english_by_accept_language(client, link, at_day):
    response = client.get(page_url(), HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert 'lang="en"' in text and "Submit" in text and "六安鑫宝丰田" in text
    assert ">Yes</label>" in text and 'value="是"' in text  # shown in English, posted as stored


def test_post_without_csrf_token_is_refused(link, at_day):
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post(page_url(), SALES_HAPPY).status_code == 403
    assert not CallAttempt.objects.exists()
    page = csrf_client.get(page_url())
    token = page.cookies["csrftoken"].value
    assert csrf_client.post(page_url(), {**SALES_HAPPY, "csrfmiddlewaretoken": token}).status_code == 302
