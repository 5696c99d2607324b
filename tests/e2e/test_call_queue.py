"""Browser flows of the call queue: keyboard-only success, reschedule, wrong number and back."""

import datetime

import pytest
from django.utils import timezone

from callbacks.choices import TaskState
from callbacks.models import CallbackTask
from tests.callbacks.factories import SalesTaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_records_a_whole_call_by_keyboard(page, live_server, login, agent, store_a, screenshot):
    task = SalesTaskFactory(delivery__store=store_a, delivery__customer__name="张伟", delivery__customer__gender="M")
    SalesTaskFactory.create_batch(3, delivery__store=store_a)
    login(agent)
    page.goto(f"{live_server.url}/callbacks/")
    screenshot("callbacks_queue")
    page.focus("#next-call")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/callbacks/tasks/{task.pk}/")
    assert "张先生" in page.locator("#script").inner_text()
    # The page opens on the overall question; each answer moves on to the next question.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q-Q0'")
    for key in ["9", "8", "9"]:  # Q0, Q1, Q2
        page.keyboard.press(key)
    page.keyboard.press("Shift+Tab")  # back to Q2: the customer corrects himself
    assert page.evaluate("document.activeElement.id") == "q-Q2"
    page.keyboard.press("7")
    for key in ["y", "y", "n", "y", "0", "y", "y", "y"]:  # Q3 … Q10 (0 scores Q7 a 10)
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.id") == "id_q_Q11"
    page.keyboard.type("交车很快，希望多送两次保养")
    assert page.input_value("#id_q_Q0") == "9" and page.input_value("#id_q_Q2") == "7"
    assert page.get_attribute("#q-Q7 .answer-btn[data-value='10']", "aria-pressed") == "true"
    assert page.get_attribute("#q-Q5 .answer-btn[data-value='否']", "aria-pressed") == "true"
    assert "Ctrl+Enter" in page.locator("#keyboard-hint").inner_text()
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)  # let the button colour transition finish before the screenshot
    screenshot("callbacks_call")
    page.keyboard.press("Enter")  # one Enter on the last question saves: no second Enter on 成功
    page.wait_for_url("**/callbacks/")
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.final_disposition == "成功" and task.overall_score == 9
    answers = {a.question.code: a.display for a in task.response.answers.select_related("question")}
    assert answers == {
        "Q0": "9",
        "Q1": "8",
        "Q2": "7",
        "Q3": "是",
        "Q4": "是",
        "Q5": "否",
        "Q6": "是",
        "Q7": "10",
        "Q8": "是",
        "Q9": "是",
        "Q10": "是",
        "Q11": "交车很快，希望多送两次保养",
    }
    assert not task.has_grumble
    assert page.locator(f"a[href='/callbacks/tasks/{task.pk}/']").count() == 0
    page.goto(f"{live_server.url}/callbacks/daily/")
    row = page.locator("#daily-report tbody tr").first.inner_text()
    assert "王丽" in row
    screenshot("callbacks_daily_report")


def test_reschedule_by_keyboard(page, live_server, login, agent, store_a):
    task = SalesTaskFactory(delivery__store=store_a)
    login(agent)
    page.goto(f"{live_server.url}/callbacks/tasks/{task.pk}/")
    page.keyboard.press("a")  # 客户忙,约定时间: focuses the time field
    when = timezone.localtime() + datetime.timedelta(hours=3)
    page.fill("#id_appointment_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/callbacks/")
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and task.appointment_at is not None
    assert task.attempts.get().disposition == "客户忙,约定时间"


def test_wrong_number_through_data_fix_and_back(page, live_server, login, agent, store_a, screenshot):
    task = SalesTaskFactory(delivery__store=store_a)
    login(agent)
    page.goto(f"{live_server.url}/callbacks/tasks/{task.pk}/")
    page.keyboard.press("k")  # 空号
    page.wait_for_url("**/callbacks/")
    assert CallbackTask.objects.get(pk=task.pk).state == TaskState.DATA_FIX
    page.goto(f"{live_server.url}/callbacks/data-fixes/")
    screenshot("callbacks_data_fix_list")
    page.click("a.btn:has-text('修正')")
    page.fill("input[name=corrected_mobile]", "13912345678")
    page.click("button:has-text('保存')")
    page.wait_for_url("**/callbacks/data-fixes/")
    task.refresh_from_db()
    assert task.state == TaskState.OPEN
    page.goto(f"{live_server.url}/callbacks/")
    assert page.locator(f"a[href='/callbacks/tasks/{task.pk}/']").count() == 1


def test_service_call_with_history_and_a_missing_overall(page, live_server, login, agent, store_a, screenshot):
    from callbacks.services import callback_attempt_record
    from complaints.models import Case
    from tests.callbacks.factories import ServiceTaskFactory

    task = ServiceTaskFactory(repair_order__store=store_a, repair_order__customer__name="李娜")
    task.customer.gender = "F"
    task.customer.save()
    earlier = ServiceTaskFactory(repair_order__store=store_a, repair_order__customer=task.customer)
    callback_attempt_record(
        task=earlier,
        user=agent,
        disposition="成功",
        answers={"Q1": 5, "Q4": "未说明", "Q11": "等了两个小时"},
        at=timezone.now() - datetime.timedelta(days=60),
    )
    Case.objects.create(
        case_no="LA-2026-0001",
        store=store_a,
        customer=task.customer,
        channel="phone",
        category="other",
        level="C",
        content="上次保养等待时间太长",
        received_at=timezone.now() - datetime.timedelta(days=59),
    )
    login(agent)
    page.goto(f"{live_server.url}/callbacks/tasks/{task.pk}/")
    assert "李女士" in page.locator("#script").inner_text()
    assert "Q4 未说明" in page.locator("#history").inner_text()
    assert "LA-2026-0001" in page.locator("#complaints").inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q-Q1'")
    page.keyboard.press("Tab")  # skip the overall question
    page.keyboard.press("y")  # Q2
    page.keyboard.press("Control+Enter")  # save as 成功 without the overall answer
    page.wait_for_selector("#form-errors")
    assert "必须填写总体满意度" in page.locator("#q-Q1").inner_text()
    assert page.input_value("#id_q_Q2") == "是"  # kept
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q-Q1'")  # the one to fix
    page.click("#script-panel summary:has-text('抱怨与投诉')")
    assert "李女士" in page.locator("#script-panel").inner_text()
    page.mouse.move(0, 0)
    screenshot("callbacks_call_service_error")
    task.refresh_from_db()
    assert task.state == TaskState.OPEN
