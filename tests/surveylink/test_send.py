"""Sending the survey link: instead of the SMS score survey, or after it went unanswered (issue 16 item 4)."""

import datetime
import importlib
import re

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from api.choices import Scope
from api.services import api_client_create
from callbacks.choices import Disposition, TaskState
from callbacks.models import CallbackTask
from callbacks.services import callback_attempt_record
from callbacks.sms import callback_sms_survey_send
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage, SmsTemplate
from crm.sms.services import sms_deliver
from crm.tokens import token_hash
from surveylink.choices import LinkMode
from surveylink.models import StoreSurveyLinkSettings, SurveyLink
from surveylink.services import survey_link_after_due, survey_link_send, survey_link_send_after
from surveylink.tasks import survey_link_after_sweep
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import StoreFactory
from tests.surveylink.helpers import DAY

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://cr\.example\.com/s/([A-Za-z0-9_-]{16})/")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://cr.example.com/"


@pytest.fixture
def task(store_a):
    with time_machine.travel(DAY, tick=False):
        return SalesTaskFactory(delivery__store=store_a, delivery__customer__mobile="13912345678")


def _mode(store, mode, hours=24):
    StoreSurveyLinkSettings.objects.update_or_create(store=store, defaults={"mode": mode, "after_hours": hours})


def _at_maximum(task):
    CallbackTask.objects.filter(pk=task.pk).update(failed_attempts=4)


def test_instead_sends_the_link_not_the_score_survey(task, store_a, client):
    _mode(store_a, LinkMode.INSTEAD)
    _at_maximum(task)
    assert callback_sms_survey_send(task_id=task.pk, now=DAY) is True
    message = SmsMessage.objects.get()
    # Queued to go at once (on commit): 10:00 is outside the quiet hours.
    assert message.reason == "survey_link" and message.status == SmsStatus.QUEUED and message.send_after == DAY
    assert "1-10分" not in message.body and store_a.name in message.body
    token = LINK.search(message.body).group(1)
    link = SurveyLink.objects.get(task=task)
    # The token is stored only as its hash; the link lives as long as the callback window.
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    assert link.expires_at == task.window_closes_at
    task.refresh_from_db()
    assert task.sms_survey_sent_at == DAY
    # Repeated sends (the sweep, a second worker) send nothing more.
    assert callback_sms_survey_send(task_id=task.pk, now=DAY) is False
    assert SmsMessage.objects.count() == 1 and SurveyLink.objects.count() == 1
    with time_machine.travel(DAY, tick=False):
        assert client.get(f"/s/{token}/").status_code == 200


def test_instead_follows_the_fourth_failed_call(task, store_a, agent, django_capture_on_commit_callbacks):
    _mode(store_a, LinkMode.INSTEAD)
    CallbackTask.objects.filter(pk=task.pk).update(failed_attempts=3)
    with time_machine.travel(DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER, at=DAY)
    assert list(SmsMessage.objects.values_list("reason", flat=True)) == ["survey_link"]


def test_instead_in_quiet_hours_is_queued_until_eight(task, store_a):
    _mode(store_a, LinkMode.INSTEAD)
    _at_maximum(task)
    late = DAY.replace(hour=22)
    assert callback_sms_survey_send(task_id=task.pk, now=late) is True
    message = SmsMessage.objects.get()
    assert message.status == SmsStatus.QUEUED and message.send_after == (DAY + datetime.timedelta(days=1)).replace(
        hour=8
    )


def test_off_keeps_the_score_survey(task, store_a):
    _mode(store_a, LinkMode.OFF)
    _at_maximum(task)
    assert callback_sms_survey_send(task_id=task.pk, now=DAY) is True
    assert SmsMessage.objects.get().reason == "callback_survey"
    assert not SurveyLink.objects.exists()


def test_after_sends_the_link_once_when_the_score_survey_went_unanswered(task, store_a):
    _mode(store_a, LinkMode.AFTER, hours=24)
    _at_maximum(task)
    assert callback_sms_survey_send(task_id=task.pk, now=DAY) is True
    assert SmsMessage.objects.get().reason == "callback_survey"
    # Not before the store's hours have passed.
    with time_machine.travel(DAY + datetime.timedelta(hours=23), tick=False):
        assert survey_link_after_due() == [] and survey_link_after_sweep() == 0
    with time_machine.travel(DAY + datetime.timedelta(hours=25), tick=False):
        assert survey_link_after_due() == [task.pk]
        assert survey_link_after_sweep() == 1
        assert survey_link_after_sweep() == 0  # idempotent
        assert survey_link_send_after(task_id=task.pk) is False
    assert sorted(SmsMessage.objects.values_list("reason", flat=True)) == ["callback_survey", "survey_link"]


def test_after_sends_nothing_once_the_customer_replied_by_sms(task, store_a):
    _mode(store_a, LinkMode.AFTER, hours=1)
    _at_maximum(task)
    callback_sms_survey_send(task_id=task.pk, now=DAY)
    callback_attempt_record(task=task, user=None, disposition=Disposition.SMS_REPLY, answers={"overall": 9}, at=DAY)
    with time_machine.travel(DAY + datetime.timedelta(hours=2), tick=False):
        assert survey_link_after_sweep() == 0
        assert survey_link_send_after(task_id=task.pk) is False
    assert not SurveyLink.objects.exists()


@pytest.mark.parametrize("change", [{"may_sms": False}, {"mobile_invalid": True}])
def test_after_needs_consent_and_a_valid_mobile(task, store_a, change):
    _mode(store_a, LinkMode.AFTER, hours=1)
    CallbackTask.objects.filter(pk=task.pk).update(sms_survey_sent_at=DAY)
    type(task.customer).objects.filter(pk=task.customer_id).update(**change)
    assert survey_link_send_after(task_id=task.pk, now=DAY + datetime.timedelta(hours=2)) is False
    assert not SurveyLink.objects.exists()


def test_after_ignores_other_modes_and_closed_windows(task, store_a):
    CallbackTask.objects.filter(pk=task.pk).update(sms_survey_sent_at=DAY)
    _mode(store_a, LinkMode.INSTEAD, hours=1)
    assert survey_link_after_due(now=DAY + datetime.timedelta(hours=2)) == []
    assert survey_link_send_after(task_id=task.pk, now=DAY + datetime.timedelta(hours=2)) is False
    _mode(store_a, LinkMode.AFTER, hours=1)
    after_window = task.window_closes_at + datetime.timedelta(minutes=1)
    assert survey_link_after_due(now=after_window) == []
    assert survey_link_send_after(task_id=task.pk, now=after_window) is False
    CallbackTask.objects.filter(pk=task.pk).update(state=TaskState.CLOSED_UNSUCCESSFUL)
    assert survey_link_send_after(task_id=task.pk, now=DAY + datetime.timedelta(hours=2)) is False


def _after_store_with_a_due_task(hours: int):
    """An "after" store of `hours`, with one task whose score survey went out 5 hours before DAY."""
    store = StoreFactory()
    _mode(store, LinkMode.AFTER, hours=hours)
    with time_machine.travel(DAY, tick=False):
        task = SalesTaskFactory(delivery__store=store)
    CallbackTask.objects.filter(pk=task.pk).update(sms_survey_sent_at=DAY - datetime.timedelta(hours=5))
    return task


def test_after_due_is_one_query_whatever_the_number_of_stores(db):
    due = _after_store_with_a_due_task(hours=4)
    with CaptureQueriesContext(connection) as one_store:
        assert survey_link_after_due(now=DAY) == [due.pk]
    others = [_after_store_with_a_due_task(hours=h) for h in (3, 6)]
    with CaptureQueriesContext(connection) as three_stores:
        found = survey_link_after_due(now=DAY)
    # Each task is held to its own store's hours: 5 hours ago is past 4 and 3, not past 6.
    assert found == [due.pk, others[0].pk]
    assert len(one_store) == len(three_stores) == 1
    assert survey_link_after_due(now=DAY, limit=1) == [due.pk]


@pytest.mark.parametrize("change", [{}, {"may_sms": False}, {"mobile_invalid": True}, {"mobile": "05645367999"}])
@pytest.mark.parametrize("mode", [LinkMode.OFF, LinkMode.INSTEAD, LinkMode.AFTER])
def test_score_survey_and_link_refuse_the_same_customers(task, store_a, mode, change):
    """One rule (crm.sms.services.customer_may_get_sms) for the score SMS and both link modes.
    The unchanged customer ({}) is the control: the same calls then send, so a refusal below is the
    customer's doing, not the mode's."""
    _mode(store_a, mode, hours=1)
    _at_maximum(task)
    type(task.customer).objects.filter(pk=task.customer_id).update(**change)
    may = not change
    first = callback_sms_survey_send(task_id=task.pk, now=DAY)
    assert first is may
    # The score survey (OFF, AFTER) or the link itself (INSTEAD) is the first message.
    first_reason = "survey_link" if mode == LinkMode.INSTEAD else "callback_survey"
    assert list(SmsMessage.objects.values_list("reason", flat=True)) == ([first_reason] if may else [])
    CallbackTask.objects.filter(pk=task.pk).update(sms_survey_sent_at=DAY)
    # The link after an unanswered score survey: only in AFTER mode, and only to a customer who may get SMS.
    after = survey_link_send_after(task_id=task.pk, now=DAY + datetime.timedelta(hours=2))
    assert after is (may and mode == LinkMode.AFTER)
    assert SurveyLink.objects.exists() is (may and mode != LinkMode.OFF)


@pytest.mark.parametrize("mode", [LinkMode.OFF, LinkMode.INSTEAD])
def test_score_survey_and_link_fill_the_same_placeholders(task, store_a, mode):
    _mode(store_a, mode)
    _at_maximum(task)
    SmsTemplate.objects.update_or_create(
        code={LinkMode.OFF: "callback_survey_sales", LinkMode.INSTEAD: "survey_link"}[mode],
        defaults={"body": "{salutation}|{store_name}|{store_phone}|{plate}|{date}"},
    )
    with time_machine.travel(DAY, tick=False):
        assert callback_sms_survey_send(task_id=task.pk, now=DAY) is True
    customer, vehicle = task.customer, task.vehicle
    expected = f"{customer.salutation}|{store_a.name}|{store_a.phone}|{vehicle.plate}|{DAY.date().isoformat()}"
    assert SmsMessage.objects.get().body == expected


class _Gateway:
    """Keeps what the gateway was handed: the customer's SMS must carry the live link."""

    def __init__(self):
        self.bodies = []

    def send(self, message):
        self.bodies.append(message.body)
        return "gw-1"


def test_the_token_is_shown_to_nobody_and_forgotten_once_the_sms_has_gone(task, store_a, cr_manager, client_for):
    _mode(store_a, LinkMode.INSTEAD)
    _at_maximum(task)
    assert callback_sms_survey_send(task_id=task.pk, now=DAY) is True
    message = SmsMessage.objects.get()
    token = LINK.search(message.body).group(1)
    # While it waits in the outbox: the customer page, the outbox page and the API show no token.
    staff = client_for(cr_manager)
    with time_machine.travel(DAY, tick=False):
        for url in (reverse("crm:customer_detail", args=[task.customer_id]), reverse("crm:sms_outbox")):
            page = staff.get(url).content.decode()
            assert "/s/****/" in page and token not in page, url
        issued = api_client_create(name="CTI", stores=[store_a], scopes=[Scope.LOOKUP])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
        response = api.get(f"/api/v1/customers/{task.customer_id}/timeline/")
    assert response.status_code == 200 and "/s/****/" in response.content.decode()
    assert token not in response.content.decode()
    # The gateway gets the live link; the row then keeps only the blanked copy.
    gateway = _Gateway()
    assert sms_deliver(message_id=message.pk, now=DAY, backend=gateway) is True
    assert token in gateway.bodies[0]
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and token not in message.body and "/s/****/" in message.body
    # The customer's link still opens: the hash is kept, not the token.
    with time_machine.travel(DAY, tick=False):
        assert client_for(cr_manager).get(f"/s/{token}/").status_code == 200


def test_a_refused_link_sms_keeps_no_token(task, store_a):
    _mode(store_a, LinkMode.INSTEAD)
    _at_maximum(task)
    task.customer.mobile_invalid = True
    task.customer.save(update_fields=["mobile_invalid"])
    link = survey_link_send(task=task, now=DAY)
    message = SmsMessage.objects.get()
    assert link is not None and message.status == SmsStatus.FAILED
    assert "/s/****/" in message.body and not LINK.search(message.body)


def test_the_migration_redacts_the_links_logged_before_the_redacted_copy(task, store_a):
    """Rows from before body_redacted: a sent one loses its token, a queued one keeps it in the body
    (the gateway needs it) but shows the redacted copy; other SMS are untouched."""
    sent_body, queued_body = (
        "请点击 https://cr.example.com/s/AbCdEfGh12345678/ 评价",
        "https://cr.example.com/s/Zz9_-x/",
    )
    common = {"store": store_a, "customer": task.customer, "mobile": "13912345678", "queued_at": DAY}
    sent = SmsMessage.objects.create(body=sent_body, reason="survey_link", status=SmsStatus.SENT, **common)
    queued = SmsMessage.objects.create(body=queued_body, reason="survey_link", status=SmsStatus.QUEUED, **common)
    other = SmsMessage.objects.create(body="回访 /s/notalink/", reason="callback_survey", status="sent", **common)
    migration = importlib.import_module("crm.migrations.0011_redact_sent_survey_links")
    migration.redact(django_apps, None)
    migration.redact(django_apps, None)  # twice: the same
    for message in (sent, queued, other):
        message.refresh_from_db()
    assert sent.body == sent.shown_body == "请点击 https://cr.example.com/s/****/ 评价"
    assert queued.body == queued_body and queued.shown_body == "https://cr.example.com/s/****/"
    assert (other.body, other.body_redacted) == ("回访 /s/notalink/", "")
