"""notify(): each notification and its e-mail exactly once (issue 4 item 4)."""

import pytest
from django.core import mail
from django.http import Http404

from complaints.models.notifications import Notification
from complaints.notifications import (
    BELL_SIZE,
    bell,
    notification_mark_read,
    notifications_mark_all_read,
    notifications_send_email,
    notify,
)
from crm.choices import Role
from tests.concurrency import run_at_once
from tests.factories import UserFactory


@pytest.fixture
def manager_with_mail(store_a):
    return UserFactory(username="mgr", email="mgr@example.com", roles=[Role.CR_MANAGER], stores=[store_a])


def _notify(users, key="case-1:yellow", **kwargs):
    return notify(
        recipients=users,
        kind="sla_yellow",
        title="投诉即将超时",
        body="请尽快联系客户",
        url="/complaints/1/",
        dedup_key=key,
        **kwargs,
    )


@pytest.mark.django_db
def test_notify_twice_gives_one_notification_and_one_email(manager_with_mail, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([manager_with_mail]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([manager_with_mail]) == 0
    assert Notification.objects.filter(recipient=manager_with_mail).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mgr@example.com"] and message.subject == "投诉即将超时"
    assert "/complaints/1/" in message.body
    assert Notification.objects.get().emailed_at is not None


@pytest.mark.django_db
def test_notify_several_recipients_and_partial_duplicates(
    manager_with_mail, cr_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([manager_with_mail, None]) == 1
        assert _notify([manager_with_mail, cr_manager, cr_manager]) == 1  # only cr_manager is new
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1  # cr_manager has no e-mail address


@pytest.mark.django_db
def test_email_false_and_resend_never_doubles(manager_with_mail, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify([manager_with_mail], email=False)
    assert mail.outbox == []
    note = Notification.objects.get()
    assert notifications_send_email(notification_ids=[note.id]) == 1
    assert notifications_send_email(notification_ids=[note.id]) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_email_waits_for_commit(manager_with_mail, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([manager_with_mail])
    assert mail.outbox == [] and len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_notify_creates_one(store_a):
    user = UserFactory(username="racer", email="racer@example.com", roles=[Role.CR_MANAGER], stores=[store_a])
    results = run_at_once(lambda: _notify([user], key="case-9:red"))
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(recipient=user, dedup_key="case-9:red").count() == 1
    assert len(mail.outbox) == 1


def unread_count(user) -> int:
    return bell(user)[0]


@pytest.mark.django_db
def test_unread_count_mark_read_and_all(cr_manager, agent):
    for n in range(3):
        _notify([cr_manager], key=f"k{n}", email=False)
    _notify([agent], key="k0", email=False)
    assert unread_count(cr_manager) == 3
    first = Notification.objects.filter(recipient=cr_manager).first()
    notification_mark_read(user=cr_manager, notification_id=first.id)
    assert unread_count(cr_manager) == 2
    assert notifications_mark_all_read(user=cr_manager) == 2
    assert unread_count(cr_manager) == 0
    assert unread_count(agent) == 1


@pytest.mark.django_db
def test_bell_counts_every_unread_notification_and_lists_the_latest_in_one_query(
    cr_manager, agent, django_assert_num_queries
):
    for n in range(BELL_SIZE + 3):
        _notify([cr_manager], key=f"k{n}", email=False)
    with django_assert_num_queries(1):
        count, rows = bell(cr_manager)
    assert count == BELL_SIZE + 3
    assert [r.dedup_key for r in rows] == [f"k{n}" for n in reversed(range(3, BELL_SIZE + 3))]
    notifications_mark_all_read(user=cr_manager)
    assert bell(cr_manager)[0] == 0 and len(bell(cr_manager)[1]) == BELL_SIZE  # read ones stay listed
    assert bell(agent) == (0, [])


@pytest.mark.django_db
def test_cannot_mark_someone_elses_notification(cr_manager, agent):
    _notify([agent], email=False)
    with pytest.raises(Http404):
        notification_mark_read(user=cr_manager, notification_id=Notification.objects.get().id)
    assert Notification.objects.get().read_at is None
