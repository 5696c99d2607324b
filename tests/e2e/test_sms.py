"""Browser flow of the SMS survey: four failed calls send it, the CR manager reads the outbox, enters
the customer's reply by hand, and the task closes as 短信回复."""

import pytest

from callbacks.choices import Disposition, TaskState
from callbacks.services import callback_attempt_record
from crm.sms import services as sms_services
from crm.sms.models import SmsMessage
from tests.callbacks.factories import SalesTaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cr_manager_enters_sms_reply_that_closes_task(
    working_hours, page, live_server, login, cr_manager, agent, store_a, screenshot
):
    task = SalesTaskFactory(
        delivery__store=store_a,
        delivery__customer__name="李娜",
        delivery__customer__gender="F",
        delivery__customer__mobile="13966667777",
    )
    for _ in range(4):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)  # on_commit sends (eager)
    survey = SmsMessage.objects.get(reason="callback_survey")
    assert survey.body.startswith("尊敬的李女士")
    # Someone else's reply arrives through the gateway and waits for a person.
    sms_services.sms_receive(mobile="13966667777", text="你们店在哪里？")
    login(cr_manager)
    page.goto(f"{live_server.url}/sms/")
    assert "你们店在哪里？" in page.locator("[data-testid=waiting]").inner_text()
    assert "139****7777" in page.locator("table").nth(1).inner_text()
    screenshot("sms_outbox")
    page.fill("[data-testid=reply-form] input[name=mobile]", "13966667777")
    page.fill("[data-testid=reply-form] input[name=text]", "满意，9")
    page.click("[data-testid=reply-form] button")
    page.wait_for_load_state("networkidle")
    assert "已记入回访" in page.content()
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.final_disposition == Disposition.SMS_REPLY
    page.click("[data-testid=waiting] button")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=waiting]").count() == 0
    screenshot("sms_outbox_after_reply")
    page.goto(f"{live_server.url}/customers/{task.customer_id}/")
    screenshot("sms_customer_timeline")
    assert "短信回复" in page.content()


def test_cr_manager_edits_sms_template(page, live_server, login, cr_manager, screenshot):
    from crm.sms.models import SmsTemplate

    # A transactional test starts from an empty database: the migration's templates are gone.
    template, _ = SmsTemplate.objects.get_or_create(
        code="insurance",
        defaults={"name": "保险续保提醒", "body": "尊敬的{salutation}，您的爱车{plate}保险将于{date}到期。"},
    )
    login(cr_manager)
    page.goto(f"{live_server.url}/sms/")
    page.click("text=短信模板")
    page.wait_for_url("**/sms/templates/")
    page.click(f"a[href='/sms/templates/{template.pk}/']")
    assert "皖N12345" in page.locator("[data-testid=preview]").inner_text()
    screenshot("sms_template_edit")
    page.fill("textarea[name=body]", "{salutation}，您的爱车{plate}保险将于{date}到期。{store_phone}")
    page.click("button:has-text('保存')")
    page.wait_for_url("**/sms/templates/")
    template.refresh_from_db()
    assert template.body.endswith("{store_phone}")
