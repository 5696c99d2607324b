"""Browser flow of the template editor: the CR manager changes an answered questionnaire."""

import pytest

from surveys.models import Template
from surveys.selectors import template_current_version
from surveys.services import response_record
from tests.callbacks.factories import ServiceTaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_edits_an_answered_question_into_a_new_version(
    page, live_server, login, cr_manager, store_a, screenshot
):
    task = ServiceTaskFactory(repair_order__store=store_a)
    response = response_record(task=task, answers={"Q1": 9, "Q4": "部分说明"})
    template = Template.objects.get(code="service")
    login(cr_manager)
    page.goto(f"{live_server.url}/surveys/")
    screenshot("surveys_template_list")
    page.click("a:has-text('售后回访问卷')")
    assert page.locator("#frozen-note").is_visible()
    page.click("#question-Q4 a:has-text('修改')")
    page.fill("textarea[name=choices]", "详细说明\n部分说明\n未说明\n客户不记得")
    page.fill("textarea[name=negative_choices]", "未说明")
    screenshot("surveys_question_edit")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"**/surveys/{template.pk}/")
    assert "已创建新版本" in page.locator("body").inner_text()
    assert "客户不记得" in page.locator("#question-Q4").inner_text()
    screenshot("surveys_template_detail")
    current = template_current_version(kind="service")
    assert current.number == 2 and current.questions.get(code="Q4").choices[-1] == "客户不记得"
    assert response.answers.get(question__code="Q4").question.version.number == 1
