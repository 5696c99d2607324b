"""Browser flows of issue 13: a finished callback opens read-only; a call with a low score raises a
hot alert the page shows, and the agent logs the complaint from it with the customer's own words;
the case page shows the 5W2H facts, role names, local times and the level of who handles it."""

import datetime

import pytest
from django.utils import timezone

from callbacks.choices import Disposition, TaskState
from callbacks.models import HotAlert
from callbacks.services import callback_attempt_record
from complaints.models import Case
from complaints.services import case_dispatch
from crm.choices import DepartmentKind
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_open_call_page_lists_this_tasks_attempts(page, live_server, login, agent, store_a, screenshot):
    task = SalesTaskFactory(delivery__store=store_a, delivery__customer__name="孙磊", delivery__customer__gender="M")
    callback_attempt_record(
        task=task, user=agent, disposition=Disposition.NO_ANSWER, note="上午无人接听",
        at=timezone.now() - datetime.timedelta(hours=3),
    )  # fmt: skip
    task.refresh_from_db()
    task.next_attempt_at = None
    task.save()
    login(agent)
    page.goto(f"{live_server.url}/callbacks/tasks/{task.pk}/")
    attempts = page.locator("#task-attempts").inner_text()
    assert "无人接听" in attempts and "王丽" in attempts and "上午无人接听" in attempts
    assert page.locator("#call-form").is_visible() and page.locator("#register-complaint").is_visible()
    screenshot("call_open_task")


def test_low_score_call_shows_the_alert_and_becomes_a_complaint(
    page, live_server, login, agent, store_a, department_manager, screenshot
):
    task = SalesTaskFactory(delivery__store=store_a, delivery__customer__name="刘洋", delivery__customer__gender="F")
    login(agent)
    page.goto(f"{live_server.url}/callbacks/tasks/{task.pk}/")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q-Q0'")
    for key in ["3", "8", "9", "y", "y", "n", "y", "0", "y", "y", "y"]:  # Q0 … Q10: Q0 scores 3
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.id") == "id_q_Q11"
    page.keyboard.type("提车等了两个小时，没人管")
    page.keyboard.press("Enter")  # the last question: saves as 成功
    page.wait_for_selector("#closed-task")
    assert page.url.endswith(f"/callbacks/tasks/{task.pk}/")  # kept on the customer: an alert was raised
    task.refresh_from_db()
    assert task.state == TaskState.DONE
    alert = HotAlert.objects.get(task=task)
    assert page.locator("#call-form").count() == 0
    banner = page.locator("#hot-alert").inner_text()
    assert "已触发回访预警" in banner and "Q0 3分" in banner and "提车等了两个小时，没人管" in banner
    answers = page.locator("#task-answers").inner_text()
    assert "提车等了两个小时，没人管" in answers
    assert "成功" in page.locator("#task-attempts").inner_text()
    page.mouse.move(0, 0)
    screenshot("call_closed_task_with_hot_alert")

    page.click("#register-complaint")
    page.wait_for_url("**/complaints/cases/new/**")
    content = page.locator("textarea[name=content]").input_value()
    assert "Q11 客户原话：提车等了两个小时，没人管" in content and "Q0 3分" in content
    assert page.locator("select[name=channel]").input_value() == "callback"
    page.select_option("select[name=category]", "sales")
    page.fill("input[name=fact_when]", "交车当天下午")
    page.fill("input[name=fact_where]", "交车区")
    page.fill("textarea[name=fact_what]", "等待交车两个小时无人接待")
    page.fill("textarea[name=fact_how_much]", "店方道歉")
    page.click("[data-testid=intake-submit]")
    page.wait_for_selector("[data-testid=case-state]")
    case = Case.objects.get()
    assert (case.hot_alert_id, case.source_task_id) == (alert.pk, task.pk)
    assert "提车等了两个小时，没人管" in case.content

    # The CR manager dispatches it to the service manager: the case is handled at level 2.
    department = DepartmentFactory(store=store_a, kind=DepartmentKind.SALES, manager=department_manager)
    from tests.factories import UserFactory

    manager = UserFactory(username="carol2", display_name="陈经理", roles=["cr_manager"], stores=[store_a])
    case_dispatch(case=case, user=manager, department=department, handler=department_manager)
    page.reload()
    assert page.locator("[data-testid=case-level]").inner_text() == "2级 部门经理"
    facts = page.locator("[data-testid=facts]").inner_text()
    assert "交车当天下午" in facts and "等待交车两个小时无人接待" in facts and "店方道歉" in facts
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "部门经理" in timeline and "department_manager" not in timeline
    local = timezone.localtime(Case.objects.get().dispatched_at).strftime("%Y-%m-%d %H:%M")
    assert local in timeline and "+08:00" not in timeline
    screenshot("case_detail_from_call")

    page.goto(f"{live_server.url}/callbacks/tasks/{task.pk}/")
    assert case.case_no in page.locator("#complaint-action").inner_text()
