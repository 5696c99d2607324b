"""Dispatch, transfer and hot alerts notify at once, exactly once (issue 12 item 9); notifications
are rendered from kind and parameters in the reader's language (issue 13 item 12); a failed e-mail
is retried without re-sending the others."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from callbacks.choices import Disposition
from callbacks.models import HotAlert
from callbacks.services import callback_attempt_record
from complaints.choices import NOTIFICATION_TITLES, NotificationKind
from complaints.models import Notification
from complaints.notifications import NotificationEmailFailed, notification_title, notifications_send_email, notify
from complaints.services import case_dispatch, case_transfer
from complaints.sweeps import complaints_sla_sweep
from complaints.tasks import notifications_email
from crm.choices import Role
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _dispatch(case, cr_manager, service_department, advisor):
    return case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)


# --- dispatch and transfer -----------------------------------------------------------------------


def test_dispatch_notifies_the_handler_once_in_the_bell_and_by_mail(
    make_case, cr_manager, advisor, service_department, django_capture_on_commit_callbacks
):
    advisor.email = "sam@example.com"
    advisor.save()
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        case = _dispatch(case, cr_manager, service_department, advisor)
    note = Notification.objects.get(recipient=advisor)
    assert (note.kind, note.params) == (NotificationKind.DISPATCHED, {"no": case.case_no})
    assert note.title == f"投诉 {case.case_no} 已派发给您处理"
    assert note.url == reverse("complaints:case_detail", args=[case.pk])
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]
    assert mail.outbox[0].subject == note.title
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert not Notification.objects.exclude(recipient=advisor).exists()


def test_a_redispatch_to_the_same_handler_does_not_notify_again(make_case, cr_manager, advisor, service_department):
    case = _dispatch(make_case(), cr_manager, service_department, advisor)
    _dispatch(case, cr_manager, service_department, advisor)
    assert Notification.objects.filter(recipient=advisor).count() == 1


def test_transfer_notifies_the_new_handler(make_case, cr_manager, advisor, service_department, store_a):
    other = UserFactory(username="sa2", roles=[Role.CONSULTANT], stores=[store_a])
    case = _dispatch(make_case(), cr_manager, service_department, advisor)
    case_transfer(case=case, user=cr_manager, store=store_a, role=Role.CONSULTANT, handler=other, memo="原顾问休假")
    note = Notification.objects.get(recipient=other)
    assert note.kind == NotificationKind.TRANSFERRED and note.params == {"no": case.case_no}
    assert Notification.objects.filter(recipient=advisor).count() == 1  # his dispatch, not the transfer


def test_dispatching_to_oneself_notifies_nobody(make_case, cr_manager, service_department):
    _dispatch(make_case(), cr_manager, service_department, cr_manager)
    assert not Notification.objects.exists()


# --- hot alerts ----------------------------------------------------------------------------------


@pytest.fixture
def group_cr_head(store_b):
    return UserFactory(username="head", roles=[Role.CR_MANAGER], stores=[store_b], is_group_level=True)


def test_hot_alert_notifies_the_store_cr_managers_and_the_consultant_once(
    store_a, store_b, agent, cr_manager, group_cr_head, django_capture_on_commit_callbacks
):
    other_store_manager = UserFactory(username="bob", roles=[Role.CR_MANAGER], stores=[store_b])
    consultant = UserFactory(username="sc", email="sc@example.com", roles=[Role.CONSULTANT], stores=[store_a])
    task = SalesTaskFactory(
        delivery__store=store_a,
        delivery__sales_consultant=StaffFactory(store=store_a, user=consultant),
        delivery__customer__name="王芳",
    )
    with django_capture_on_commit_callbacks(execute=True):
        callback_attempt_record(
            task=task, user=agent, disposition=Disposition.SUCCESS, answers={"overall": 8}, grumble=True
        )
    alert = HotAlert.objects.get(task=task)
    notes = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(notes) == {cr_manager.pk, group_cr_head.pk, consultant.pk}
    assert other_store_manager.pk not in notes
    for note in notes.values():
        assert (note.kind, note.params, note.dedup_key) == ("hot_alert", {"customer": "王芳"}, f"hot_alert:{alert.pk}")
        assert "回访专员标记抱怨" in note.body
    assert notes[cr_manager.pk].url == reverse("callbacks:hot_alert_list")
    assert [m.to for m in mail.outbox] == [["sc@example.com"]]


def test_hot_alert_of_a_service_task_notifies_the_advisor(store_a, agent, cr_manager):
    advisor = UserFactory(username="sa", roles=[Role.CONSULTANT], stores=[store_a])
    task = ServiceTaskFactory(
        repair_order__store=store_a, repair_order__service_advisor=StaffFactory(store=store_a, user=advisor)
    )
    callback_attempt_record(
        task=task, user=agent, disposition=Disposition.SUCCESS, answers={"overall": 9}, grumble=True
    )
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {cr_manager.pk, advisor.pk}


def test_a_callback_without_a_hot_alert_notifies_nobody(store_a, agent, cr_manager):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers={"overall": 10})
    assert not Notification.objects.exists()


# --- rendered in the reader's language -----------------------------------------------------------

ENGLISH = {
    NotificationKind.YELLOW: "Complaint C-1 is yellow: no first contact with the customer within 20 hours",
    NotificationKind.RED: "Complaint C-1 is red (overdue): no first contact with the customer within 24 hours",
    NotificationKind.DISPATCH_OVERDUE: "Complaint C-1 not dispatched within 30 minutes",
    NotificationKind.FEEDBACK_OVERDUE: (
        "Complaint C-1: no department feedback within 48 hours; escalated to the GM automatically"
    ),
    NotificationKind.DISPATCHED: "Complaint C-1 has been dispatched to you",
    NotificationKind.TRANSFERRED: "Complaint C-1 has been transferred to you",
    NotificationKind.HOT_ALERT: "Hot alert: customer C-1 complained or gave a negative answer",
}


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_an_english_reader_sees_each_kind_in_english(kind, cr_manager):
    params = {"customer": "C-1"} if kind == NotificationKind.HOT_ALERT else {"no": "C-1"}
    notify(recipients=[cr_manager], kind=kind, params=params, dedup_key="k", email=False)
    note = Notification.objects.get()
    assert note.title == str(NOTIFICATION_TITLES[kind]) % params  # stored in Chinese
    with translation.override("en"):
        assert notification_title(note) == ENGLISH[kind]
    with translation.override("zh-hans"):
        assert notification_title(note) == note.title


def test_every_kind_has_an_english_case_here():
    assert set(ENGLISH) == set(NotificationKind) == set(NOTIFICATION_TITLES)


def test_rows_without_params_show_their_stored_title(cr_manager):
    notify(recipients=[cr_manager], kind="complaint_yellow", title="旧通知", dedup_key="old", email=False)
    with translation.override("en"):
        assert notification_title(Notification.objects.get()) == "旧通知"


def test_the_bell_and_the_list_show_english_to_an_english_reader(cr_manager, client_for):
    notify(recipients=[cr_manager], kind=NotificationKind.DISPATCHED, params={"no": "C-1"}, dedup_key="k", email=False)
    client = client_for(cr_manager)
    client.cookies["django_language"] = "en"
    for url in (reverse("complaints:notification_bell"), reverse("complaints:notification_list")):
        body = client.get(url, headers={"accept-language": "en"}).content.decode()
        assert "Complaint C-1 has been dispatched to you" in body and "已派发给您处理" not in body


@pytest.mark.parametrize("path", ["one statement", "row by row"])
def test_sla_sweep_stores_the_case_number_as_parameter(path, make_case, cr_manager, monkeypatch):
    import datetime

    from complaints import sweeps

    if path == "row by row":
        monkeypatch.setattr(sweeps, "_sweep_batch", sweeps._sweep_rows)
    case = make_case()
    complaints_sla_sweep(now=case.received_at + datetime.timedelta(hours=1))
    note = Notification.objects.get(kind=NotificationKind.DISPATCH_OVERDUE)
    assert note.params == {"no": case.case_no}
    with translation.override("en"):
        assert notification_title(note) == f"Complaint {case.case_no} not dispatched within 30 minutes"


def test_emails_are_written_in_chinese(cr_manager):
    cr_manager.email = "m@example.com"
    cr_manager.save()
    notify(recipients=[cr_manager], kind=NotificationKind.DISPATCHED, params={"no": "C-1"}, dedup_key="k", email=False)
    with translation.override("en"):
        notifications_send_email(notification_ids=list(Notification.objects.values_list("id", flat=True)))
    assert mail.outbox[0].subject == "投诉 C-1 已派发给您处理"


# --- e-mail retries ------------------------------------------------------------------------------


def test_a_failed_email_is_retried_and_a_sent_one_is_not_sent_again(store_a, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    users = [UserFactory(username=f"u{i}", email=f"u{i}@example.com", stores=[store_a]) for i in range(2)]
    notify(recipients=users, kind=NotificationKind.DISPATCHED, params={"no": "C-1"}, dedup_key="k", email=False)
    ids = list(Notification.objects.order_by("id").values_list("id", flat=True))
    real_send, broken = EmailBackend.send_messages, {"u1@example.com"}

    def flaky_send(self, messages):
        if any(set(m.to) & broken for m in messages):
            raise ConnectionError("mail server hiccup")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky_send)
    with pytest.raises(NotificationEmailFailed) as failed:
        notifications_send_email(notification_ids=ids)
    assert failed.value.notification_ids == [ids[1]]
    assert [m.to for m in mail.outbox] == [["u0@example.com"]]
    failed_row = Notification.objects.get(id=ids[1])
    # Pending again: should every Celery retry fail too, the beat sweep still sends it.
    assert failed_row.emailed_at is None and failed_row.email_pending
    broken.clear()
    assert notifications_send_email(notification_ids=ids) == 1  # the retry sends only the failed one
    assert [m.to for m in mail.outbox] == [["u0@example.com"], ["u1@example.com"]]


def test_the_email_task_retries_with_backoff_and_a_limit():
    assert NotificationEmailFailed in notifications_email.autoretry_for
    assert notifications_email.max_retries == 5 and notifications_email.retry_backoff


def test_the_email_task_retries_until_the_mail_goes(cr_manager, monkeypatch):
    """Eager Celery runs the retries at once: the first try fails, the retry sends, once."""
    from django.core.mail.backends.locmem import EmailBackend

    cr_manager.email = "m@example.com"
    cr_manager.save()
    notify(recipients=[cr_manager], kind=NotificationKind.DISPATCHED, params={"no": "C-1"}, dedup_key="k", email=False)
    real_send, tries = EmailBackend.send_messages, []

    def fails_once(self, messages):
        tries.append(1)
        if len(tries) == 1:
            raise ConnectionError("mail server hiccup")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fails_once)
    result = notifications_email.apply(args=[list(Notification.objects.values_list("id", flat=True))], throw=False)
    assert result.get() == 1
    assert len(tries) == 2 and len(mail.outbox) == 1


def test_old_sla_notifications_get_their_case_number_by_migration(make_case, cr_manager):
    from importlib import import_module

    from django.apps import apps

    case = make_case()
    notify(recipients=[cr_manager], kind="complaint_red", title="旧标题", dedup_key=f"case:{case.pk}:red", email=False)
    notify(recipients=[cr_manager], kind="complaint_red", title="无案", dedup_key="case:999999:red", email=False)
    notify(recipients=[cr_manager], kind="other", title="其他", dedup_key=f"case:{case.pk}:other", email=False)
    import_module("complaints.migrations.0008_notification_params_backfill").backfill(apps, None)
    params = dict(Notification.objects.values_list("title", "params"))
    assert params == {"旧标题": {"no": case.case_no}, "无案": {}, "其他": {}}
    with translation.override("en"):
        shown = notification_title(Notification.objects.get(title="旧标题"))
    assert shown.startswith(f"Complaint {case.case_no} is red")


def test_an_email_links_to_the_site_address(cr_manager, settings):
    settings.SITE_URL = "https://cr.example.com/"
    cr_manager.email = "m@example.com"
    cr_manager.save()
    notify(
        recipients=[cr_manager],
        kind=NotificationKind.DISPATCHED,
        params={"no": "C-1"},
        url="/complaints/cases/7/",
        dedup_key="k",
        email=False,
    )
    notifications_send_email(notification_ids=list(Notification.objects.values_list("id", flat=True)))
    assert "https://cr.example.com/complaints/cases/7/" in mail.outbox[0].body
