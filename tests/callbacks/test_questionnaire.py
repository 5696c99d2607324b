"""A successful callback stores its questionnaire; negative answers raise a hot alert (SPEC §6, §7)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from callbacks.choices import AttemptSource, Disposition, TaskState
from callbacks.generation import callback_tasks_generate
from callbacks.importing import CallbackResultsSheet
from callbacks.models import CallAttempt, CallbackTask, HotAlert
from callbacks.services import callback_attempt_record
from crm.importing.registry import ImportContext, Outcome, ParsedRow, RowError
from surveys.models import Response
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.factories import DeliveryFactory, RepairOrderFactory

pytestmark = pytest.mark.django_db

HAPPY_SALES = {"Q0": 9, "Q1": 8, "Q2": 9, "Q3": "是", "Q4": "是", "Q5": "否", "Q6": "是", "Q7": 10}


def test_success_stores_the_whole_questionnaire(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    answers = {**HAPPY_SALES, "Q8": "是", "Q9": "是", "Q10": "是", "Q11": "挺好的，谢谢"}
    callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers=answers)
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.overall_score == 9
    response = task.response
    assert response.answers.count() == 12 and response.agent == agent and response.source == "call"
    assert not task.has_grumble and not HotAlert.objects.exists()


def test_success_without_overall_records_nothing(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    with pytest.raises(ValidationError) as info:
        callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers={"Q1": 9})
    assert "Q0" in info.value.message_dict
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and not CallAttempt.objects.exists() and not Response.objects.exists()


@pytest.mark.parametrize(
    ("answers", "reason_start"),
    [
        ({**HAPPY_SALES, "Q1": 5}, "Q1 5分"),
        ({**HAPPY_SALES, "Q0": 3}, "Q0 3分"),
        ({**HAPPY_SALES, "Q3": "否"}, "Q3 否"),
        ({**HAPPY_SALES, "Q5": "是"}, "Q5 是"),
    ],
)
def test_negative_answer_raises_hot_alert_with_reasons(store_a, agent, answers, reason_start):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers=answers)
    task.refresh_from_db()
    alert = HotAlert.objects.get(task=task)
    assert task.has_grumble and len(alert.reasons) == 1
    assert alert.reasons[0].startswith(reason_start)


def test_negative_choice_and_grumble_both_listed(store_a, agent):
    task = ServiceTaskFactory(repair_order__store=store_a)
    callback_attempt_record(
        task=task, user=agent, disposition=Disposition.SUCCESS, answers={"Q1": 8, "Q4": "未说明"}, grumble=True
    )
    reasons = HotAlert.objects.get(task=task).reasons
    assert reasons[0] == "回访专员标记抱怨" and reasons[1].startswith("Q4 未说明：服务顾问是否向您说明")


@pytest.mark.parametrize(("factory", "code"), [(SalesTaskFactory, "Q0"), (ServiceTaskFactory, "Q1")])
def test_sms_reply_with_overall_code_and_no_user(store_a, factory, code):
    """The SMS gateway's call: user None, disposition 短信回复, answers {<overall code>: n}."""
    task = _task(factory, store_a)
    callback_attempt_record(task=task, user=None, disposition=Disposition.SMS_REPLY, answers={code: 10})
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.final_disposition == "短信回复" and task.overall_score == 10
    assert task.response.source == "sms" and task.response.agent is None
    assert task.attempts.get().source == AttemptSource.SMS


def test_sms_reply_with_low_score_raises_hot_alert(store_a):
    task = _task(SalesTaskFactory, store_a)
    callback_attempt_record(task=task, user=None, disposition=Disposition.SMS_REPLY, answers={"Q0": 4})
    assert HotAlert.objects.get(task=task).reasons[0].startswith("Q0 4分")


def _task(factory, store):
    if factory is SalesTaskFactory:
        return factory(delivery__store=store)
    return factory(repair_order__store=store)


# --- the 回访结果 import validates against the template --------------------------------------------


def _row(n, **values):
    base = {"kind": "sales", "called_at": timezone.now() - datetime.timedelta(hours=1), "outcome": "成功"}
    base.update(values)
    return ParsedRow(row_number=n, values=base)


def test_import_validates_every_answer_against_its_question(store_a):
    DeliveryFactory(store=store_a, delivery_no="XS1")
    RepairOrderFactory(store=store_a, ro_no="WX1")
    callback_tasks_generate()
    rows = [
        _row(2, source_no="XS1", Q0="9", Q3="也许"),
        _row(3, source_no="XS1", Q0="9", Q1="0"),
        _row(4, kind="service", source_no="WX1", Q1="9", Q4="说了一点"),
        _row(5, kind="service", source_no="WX1", Q0="9"),  # service overall is Q1; it has no Q0
        _row(6, source_no="XS1", outcome="无人接听", Q0="9"),
    ]
    result = CallbackResultsSheet().import_batch(rows, ImportContext(default_store=store_a))
    assert all(isinstance(r, RowError) for r in result.values())
    assert [result[n].column for n in range(2, 7)] == ["Q3", "Q1", "Q4", "Q0", ""]
    assert not CallAttempt.objects.exists() and not Response.objects.exists()


def test_import_stores_the_response_once(store_a, agent):
    ro = RepairOrderFactory(store=store_a, ro_no="WX1")
    callback_tasks_generate()
    at = timezone.now() - datetime.timedelta(hours=2)
    row = _row(2, kind="service", source_no="WX1", called_at=at, agent="alice", Q1="6", Q4="未说明", Q11="等太久")
    handler = CallbackResultsSheet()
    assert handler.import_batch([row], ImportContext(default_store=store_a)) == {2: Outcome.CREATED}
    assert handler.import_batch([row], ImportContext(default_store=store_a)) == {2: Outcome.UNCHANGED}
    task = ro.callback_task_link.task
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.overall_score == 6
    response = Response.objects.get()
    assert (response.source, response.agent, response.answered_at) == ("import", agent, at)
    assert response.answers.get(question__code="Q4").is_negative
    assert response.answers.get(question__code="Q11").text == "等太久"
    assert not HotAlert.objects.exists()  # historical rows raise no alert


# --- the customer page's timeline -----------------------------------------------------------------


def test_timeline_shows_callbacks_with_their_answers_in_fixed_queries(
    store_a, agent, client_for, django_assert_max_num_queries
):
    from callbacks.timeline import callback_timeline_entries
    from tests.factories import CustomerFactory

    customer = CustomerFactory(store=store_a)
    for score in (9, 6, 3):
        task = SalesTaskFactory(delivery__store=store_a, delivery__customer=customer)
        callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)
        answers = {"Q0": score, "Q3": "否", "Q11": "希望快一点"}
        callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers=answers)
    with django_assert_max_num_queries(2):
        entries = callback_timeline_entries(customer)
    successes = [e for e in entries if "成功" in e.title]
    assert len(entries) == 6 and len(successes) == 3
    by_score = {e.title.split(" · ")[1]: e for e in successes}
    assert set(by_score) == {"9分 完全满意", "6分 基本满意", "3分 不满意"}
    assert [by_score[k].tone for k in ("9分 完全满意", "6分 基本满意", "3分 不满意")] == [
        "success",
        "warning",
        "danger",
    ]
    assert by_score["9分 完全满意"].body == "Q0 9分 · Q3 否（负面） · Q11 希望快一点"
    page = client_for(agent).get(reverse("crm:customer_detail", args=[customer.pk])).content.decode()
    assert "Q3 否（负面）" in page and "3分 不满意" in page


def test_demo_calls_record_whole_questionnaires(store_a):
    import io
    import random

    from demo.context import DemoContext
    from demo.steps import demo_steps

    DeliveryFactory.create_batch(40, store=store_a)
    step = next(s for s in demo_steps() if s.name == "callbacks")
    step.run(DemoContext(rng=random.Random(1), stdout=io.StringIO()))
    done = list(CallbackTask.objects.filter(state=TaskState.DONE).select_related("response"))
    assert done and all(t.response is not None and t.overall_score == t.response.overall_score for t in done)
    called = [t for t in done if t.final_disposition == "成功"]  # an SMS reply answers only the overall
    assert called and all(t.response.answers.count() >= 11 for t in called)  # an empty remark is no answer


def test_reimported_row_with_changed_answers_updates_them(store_a):
    RepairOrderFactory(store=store_a, ro_no="WX1")
    callback_tasks_generate()
    at = timezone.now() - datetime.timedelta(hours=2)
    handler, ctx = CallbackResultsSheet(), ImportContext(default_store=store_a)
    first = _row(2, kind="service", source_no="WX1", called_at=at, Q1="9", Q4="详细说明")
    assert handler.import_batch([first], ctx) == {2: Outcome.CREATED}
    changed = _row(2, kind="service", source_no="WX1", called_at=at, Q1="4", Q4="未说明", note="核对后更正")
    assert handler.import_batch([changed], ctx) == {2: Outcome.UPDATED}
    assert handler.import_batch([changed], ctx) == {2: Outcome.UNCHANGED}
    response = Response.objects.get()
    assert response.overall_score == 4 and response.has_negative
    assert response.callback_task.overall_score == 4
    assert response.answers.get(question__code="Q4").choice == "未说明"
    assert CallAttempt.objects.get().note == "核对后更正"
    other_outcome = _row(2, kind="service", source_no="WX1", called_at=at, outcome="拒访")
    result = handler.import_batch([other_outcome], ctx)
    assert isinstance(result[2], RowError) and result[2].column == "回访状态"
