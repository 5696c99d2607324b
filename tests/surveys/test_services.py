"""Recording responses, the negative-answer rule, and the call-script placeholders."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys.choices import ResponseSource
from surveys.models import Answer, CallScript, Response, TemplateVersion
from surveys.selectors import template_current_version
from surveys.services import (
    answer_is_negative,
    answer_parse,
    customer_salutation,
    response_record,
    script_render,
)
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _q(kind, code):
    return template_current_version(kind=kind).questions.get(code=code)


# --- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "score"), [(9, 9), ("9", 9), ("９", 9), ("9分", 9), (" 10 ", 10), (1.0, 1)])
def test_score_forms(raw, score):
    assert answer_parse(_q("sales", "Q0"), raw) == {"score": score}


@pytest.mark.parametrize("raw", [0, 11, "11", "很好", True, "", 7.5])
def test_score_rejects(raw):
    with pytest.raises(ValidationError):
        answer_parse(_q("sales", "Q0"), raw)


@pytest.mark.parametrize(
    ("raw", "yes"), [("是", True), ("否", False), (True, True), (False, False), ("Y", True), ("n", False)]
)
def test_yes_no_forms(raw, yes):
    assert answer_parse(_q("sales", "Q3"), raw) == {"yes": yes}


def test_yes_no_rejects_other_text():
    with pytest.raises(ValidationError):
        answer_parse(_q("sales", "Q3"), "也许")


def test_choice_must_be_one_of_its_labels():
    q4 = _q("service", "Q4")
    assert answer_parse(q4, " 部分说明 ") == {"choice": "部分说明"}
    with pytest.raises(ValidationError, match="详细说明 / 部分说明 / 未说明"):
        answer_parse(q4, "说明了")


def test_text_is_kept_verbatim():
    raw = "  休息区的咖啡太淡了！ 下次注意\n谢谢 "
    assert answer_parse(_q("sales", "Q11"), raw) == {"text": raw}


# --- the negative rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "value", "negative"),
    [
        ("sales", "Q0", 5, True),
        ("sales", "Q0", 1, True),
        ("sales", "Q0", 6, False),
        ("sales", "Q1", 10, False),
        ("sales", "Q3", False, True),  # no test drive offered: negative when no
        ("sales", "Q3", True, False),
        ("sales", "Q5", True, True),  # fuel warning light on: negative when yes
        ("sales", "Q5", False, False),
        ("service", "Q4", "未说明", True),
        ("service", "Q4", "部分说明", False),
        ("service", "Q4", "详细说明", False),
        ("sales", "Q11", "很不满意!", False),  # text is never negative by itself
    ],
)
def test_answer_is_negative(kind, code, value, negative):
    assert answer_is_negative(_q(kind, code), value) is negative


# --- response_record -----------------------------------------------------------------------------


def test_response_recorded_for_a_task_freezes_the_version_and_leaves_the_task_to_callbacks(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    at = timezone.now()
    response = response_record(
        task=task,
        answers={"Q0": "9", "Q3": "否", "Q5": "否", "Q11": "挺好"},
        source=ResponseSource.CALL,
        agent=agent,
        at=at,
    )
    task.refresh_from_db()
    # surveys never writes a callback task: callbacks links the response (callbacks.services).
    assert task.response is None and task.overall_score is None
    assert (response.store, response.customer, response.agent, response.overall_score) == (
        store_a,
        task.customer,
        agent,
        9,
    )
    answers = {a.question.code: a for a in response.answers.select_related("question")}
    assert set(answers) == {"Q0", "Q3", "Q5", "Q11"}
    assert answers["Q3"].yes is False and answers["Q3"].is_negative
    assert answers["Q5"].is_negative is False and answers["Q11"].text == "挺好"
    assert response.has_negative
    assert TemplateVersion.objects.get(pk=response.version_id).frozen_at == at


def test_service_overall_is_q1_and_the_overall_alias_works(store_a):
    task = ServiceTaskFactory(repair_order__store=store_a)
    response = response_record(task=task, answers={"overall": 7, "Q4": "详细说明"}, source=ResponseSource.SMS)
    assert response.overall_score == 7 and response.version.template.code == "service"
    assert response.answers.get(question__code="Q1").score == 7


def test_overall_answer_is_required_and_every_problem_is_reported(store_a):
    task = SalesTaskFactory(delivery__store=store_a)
    with pytest.raises(ValidationError) as info:
        response_record(task=task, answers={"Q1": 11, "Q3": "也许", "Q99": 1, "Q11": ""})
    assert set(info.value.message_dict) == {"Q0", "Q1", "Q3", "Q99"}
    assert not Response.objects.exists() and not Answer.objects.exists()
    task.refresh_from_db()
    assert task.response is None and task.overall_score is None


def test_response_without_task_needs_version_store_customer(store_a):
    version = template_current_version(kind="sales")
    customer = CustomerFactory(store=store_a)
    with pytest.raises(ValueError):
        response_record(answers={"Q0": 8})
    response = response_record(
        version=version,
        store=store_a,
        customer=customer,
        answers={"Q0": 8},
        source=ResponseSource.IMPORT,
        subject_key="survey-centre:123",
        at=timezone.now() - datetime.timedelta(days=3),
    )
    assert response.subject_key == "survey-centre:123" and response.overall_score == 8


def test_version_of_another_kind_is_refused(store_a):
    task = SalesTaskFactory(delivery__store=store_a)
    with pytest.raises(ValidationError):
        response_record(task=task, version=template_current_version(kind="service"), answers={"Q1": 9})


# --- scripts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "gender", "expected"),
    [("张伟", "M", "张先生"), ("李娜", "F", "李女士"), ("王芳", "", "王先生/女士")],
)
def test_salutation(name, gender, expected):
    assert customer_salutation(CustomerFactory.build(name=name, gender=gender)) == expected


def test_script_render_fills_placeholders(store_a, agent):
    customer = CustomerFactory(store=store_a, name="张伟", gender="M")
    text = script_render(CallScript.objects.get(code="opening_sales"), customer, store=store_a, agent=agent)
    assert text.startswith("您好,我是六安鑫宝丰田的回访员王丽,请问是张先生吗?")
    assert "{" not in text
    odd = CallScript(code="x", title="x", say="{姓名}您好 {未知} {")
    assert script_render(odd, customer) == "张伟您好 {未知} {"


def test_overall_question_code_per_kind():
    from surveys.selectors import overall_question_code

    assert overall_question_code(kind="sales") == "Q0"
    assert overall_question_code(kind="service") == "Q1"
