"""Browser flow: an agent files a complaint from a hot alert's prefill URL, the CR manager
dispatches it, the department manager records feedback, the CR manager closes it; the coloured list."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from callbacks.models import HotAlert
from complaints.models import Case
from complaints.services import case_receive
from crm.choices import DepartmentKind, Role
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import CustomerFactory, DeliveryFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_complaint_from_hot_alert_to_closing(
    page, live_server, login, agent, cr_manager, department_manager, store_a, screenshot
):
    department = DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE, manager=department_manager)
    customer = CustomerFactory(store=store_a, name="张伟")
    # A real hot alert of the agent's store: intake keeps only an alert the user may see.
    task = SalesTaskFactory(delivery=DeliveryFactory(store=store_a, customer=customer))
    alert = HotAlert.objects.create(task=task, raised_at=timezone.now())
    query = urlencode(
        {"customer": customer.pk, "channel": "callback", "content": "保养后异响，服务顾问态度差", "hot_alert": alert.pk}
    )

    login(agent)
    page.goto(f"{live_server.url}/complaints/cases/new/?{query}")
    assert "张伟" in page.locator("[data-testid=intake-customer]").inner_text()
    assert page.locator("textarea[name=content]").input_value() == "保养后异响，服务顾问态度差"
    page.select_option("select[name=category]", "attitude")
    page.fill("textarea[name=demand]", "要求道歉并免费检修")
    screenshot("complaint_intake")
    page.click("[data-testid=intake-submit]")
    page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert case.hot_alert_id == alert.pk and case.channel == "callback"
    assert page.locator("[data-testid=case-state]").inner_text() == "新建"

    page.context.clear_cookies()
    login(cr_manager)
    page.goto(f"{live_server.url}/complaints/cases/{case.pk}/")
    form = page.locator("[data-testid=action-dispatch]")
    form.locator("select[name=department]").select_option(str(department.pk))
    form.locator("select[name=handler]").select_option(str(department_manager.pk))
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=case-state]").inner_text() == "已派发"

    page.context.clear_cookies()
    login(department_manager)
    page.goto(f"{live_server.url}/complaints/cases/department/")
    # The dispatch notified him at once: the bell counts it and its dropdown names the case.
    assert page.locator("[data-testid=bell-count]").inner_text() == "1"
    page.locator("main").get_by_role("link", name=case.case_no, exact=True).click()
    form = page.locator("[data-testid=action-feedback]")
    form.locator("textarea[name=investigation]").fill("查看监控，接待顾问未按流程问候")
    form.locator("textarea[name=cause]").fill("顾问培训不足")
    form.locator("select[name=responsibility]").select_option("dealer")
    form.locator("textarea[name=plan]").fill("当面致歉并免费检修异响")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=case-state]").inner_text() == "处理中"
    screenshot("complaint_feedback")

    page.context.clear_cookies()
    login(cr_manager)
    page.goto(f"{live_server.url}/complaints/cases/{case.pk}/")
    form = page.locator("[data-testid=action-close]")
    form.locator("textarea[name=cr_activity_result]").fill("回访客户，已修复，接受致歉")
    form.locator("select[name=final_result]").select_option("satisfied")
    form.locator("textarea[name=commitments]").fill("下次保养工时八折")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=case-state]").inner_text() == "已完结"
    assert page.locator("[data-testid=case-colour]").inner_text() == "灰"
    assert page.locator("[data-testid=timeline] li").count() == 4
    screenshot("complaint_closed")


def test_coloured_case_list(page, live_server, login, agent, cr_manager, store_a, screenshot):
    now = timezone.now()
    for hours, name in [(30, "红色客户"), (21, "黄色客户"), (2, "白色客户"), (50, "灰色客户")]:
        customer = CustomerFactory(store=store_a, name=name)
        case = case_receive(
            user=agent,
            store=store_a,
            customer=customer,
            channel="phone",
            category="repair_quality",
            content=f"{name}的投诉",
            demand="检修",
            received_at=now - dt.timedelta(hours=hours),
        )
        if name == "灰色客户":
            Case.objects.filter(pk=case.pk).update(state="unfounded", closed_at=now)
    UserFactory(roles=[Role.CONSULTANT], stores=[store_a])
    login(cr_manager)
    page.goto(f"{live_server.url}/complaints/cases/")
    colours = page.locator("[data-testid=case-row]").evaluate_all("rows => rows.map(r => r.dataset.colour)")
    assert colours == ["red", "yellow", "white", "grey"]
    screenshot("complaint_list_coloured")
