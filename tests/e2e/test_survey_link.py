"""Browser flow of the customer's survey link at phone width (390 px, issue 16 item 4): the SMS
carries the link, the customer opens it without login, is told what is missing, answers with big
tap targets, and the task closes as a web success with its hot alert; the link then only thanks."""

import logging
import re

import pytest

from callbacks.choices import AttemptSource, Disposition, TaskState
from callbacks.models import CallbackTask, HotAlert
from callbacks.sms import callback_sms_survey_send
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage
from surveylink.choices import LinkMode
from surveylink.models import StoreSurveyLinkSettings
from tests.callbacks.factories import SalesTaskFactory
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}


def _context_page(browser, viewport, locale):
    context = browser.new_context(viewport=viewport, locale=locale, is_mobile=viewport["width"] < 500)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _send_link(store, settings, live_server, caplog, **customer):
    """The link as the customer's SMS carries it: what the gateway was handed (the dev backend logs
    it) when the message went at once; the outbox row's body while it waits for the quiet hours to
    end (once sent, the row keeps only the redacted copy)."""
    settings.SITE_URL = live_server.url
    StoreSurveyLinkSettings.objects.create(store=store, mode=LinkMode.INSTEAD)
    task = SalesTaskFactory(delivery__store=store, delivery__vehicle__model="凯美瑞 2.0G", **customer)
    CallbackTask.objects.filter(pk=task.pk).update(failed_attempts=4)
    with caplog.at_level(logging.DEBUG, logger="crm.sms"):
        assert callback_sms_survey_send(task_id=task.pk)
    message = SmsMessage.objects.get(related_key=f"survey_link:{task.pk}")
    text = caplog.text if message.status == SmsStatus.SENT else message.body
    return task, re.search(r"https?://\S+/s/[A-Za-z0-9_-]{16}/", text).group(0)


def test_customer_answers_the_survey_on_his_phone(working_hours, browser, live_server, settings, store_a, caplog):
    task, url = _send_link(store_a, settings, live_server, caplog, delivery__customer__name="李娜")
    context, page = _context_page(browser, PHONE, "zh-CN")
    try:
        page.goto(url)
        assert page.locator("[data-testid=store-name]").inner_text() == "六安鑫宝丰田"
        assert "李娜" not in page.content()
        # Nothing sideways at phone width, and every answer button is a thumb's size.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = page.locator("[data-code=Q0] label").first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        _shot(page, "survey_link_390_zh")
        # Submitting without the overall score: told which question, nothing recorded.
        page.locator("[data-code=Q1] label", has_text="8").click()
        page.click("[data-testid=survey-submit]")
        assert "此题为必答题" in page.locator("[data-code=Q0]").inner_text()
        assert page.locator("[data-code=Q1] input[value='8']").is_checked()  # kept
        _shot(page, "survey_link_390_zh_error")
        assert CallbackTask.objects.get(pk=task.pk).state == TaskState.OPEN
        page.locator("[data-code=Q0] label", has_text=re.compile(r"^4$")).click()
        page.locator("[data-code=Q6] label", has_text="否").click()
        page.fill("[data-code=Q11] textarea", "交车时没人讲解")
        page.click("[data-testid=survey-submit]")
        assert page.locator("[data-testid=survey-message]").get_attribute("data-state") == "answered"
        _shot(page, "survey_link_390_zh_thanks")
        page.reload()
        assert "您已完成本次问卷" in page.content()
    finally:
        context.close()
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.final_disposition == Disposition.SMS_REPLY
    assert task.overall_score == 4 and task.attempts.get().source == AttemptSource.WEB
    reasons = HotAlert.objects.get(task=task).reasons
    assert reasons[0].startswith("Q0 4分") and any(r.startswith("Q6 否") for r in reasons)


@pytest.mark.parametrize(("viewport", "locale"), [(PHONE, "en-US"), (DESKTOP, "zh-CN"), (DESKTOP, "en-US")])
def test_survey_page_in_each_language_and_width(
    working_hours, browser, live_server, settings, store_a, viewport, locale, caplog
):
    _task, url = _send_link(store_a, settings, live_server, caplog)
    context, page = _context_page(browser, viewport, locale)
    try:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        submit = page.locator("[data-testid=survey-submit]").inner_text()
        assert submit == ("Submit" if locale.startswith("en") else "提交")
        _shot(page, f"survey_link_{viewport['width']}_{locale[:2]}")
    finally:
        context.close()
