"""The bell, the notification list, open and mark-all-read pages."""

import pytest
from django.urls import reverse

from complaints.models.notifications import Notification
from complaints.notifications import notify


def _make(user, n, url="/complaints/calendar/"):
    for i in range(n):
        notify(recipients=[user], kind="sla_red", title=f"投诉超时 {i}", url=url, dedup_key=f"k{i}", email=False)


@pytest.mark.django_db
def test_bell_shows_unread_count_on_every_page(client_for, cr_manager):
    _make(cr_manager, 3)
    response = client_for(cr_manager).get(reverse("complaints:notification_list"))
    content = response.content.decode()
    assert 'data-testid="bell-count">3<' in content
    assert "投诉超时 2" in content


@pytest.mark.django_db
def test_bell_partial_for_htmx(client_for, cr_manager, django_assert_num_queries):
    _make(cr_manager, 12)
    client = client_for(cr_manager)
    client.get(reverse("complaints:notification_bell"))  # warm the session
    with django_assert_num_queries(3):  # session, user, the bell (count and latest 8 in one query; no menu)
        response = client.get(reverse("complaints:notification_bell"))
    assert response.content.decode().count("list-group-item-action") == 8
    assert 'data-testid="bell-count">12<' in response.content.decode()


@pytest.mark.django_db
def test_list_query_count_constant(client_for, cr_manager, django_assert_num_queries):
    client = client_for(cr_manager)
    _make(cr_manager, 2)
    client.get(reverse("complaints:notification_list"))
    with django_assert_num_queries(7) as few:
        client.get(reverse("complaints:notification_list"))
    Notification.objects.all().delete()
    _make(cr_manager, 45)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("complaints:notification_list"))
    assert response.content.decode().count('data-testid="notification-row"') == 20


@pytest.mark.django_db
def test_open_marks_read_and_redirects(client_for, cr_manager):
    _make(cr_manager, 1, url="/complaints/calendar/")
    note = Notification.objects.get()
    response = client_for(cr_manager).get(reverse("complaints:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response.url == "/complaints/calendar/"
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.django_db
def test_open_refuses_an_outside_link(client_for, cr_manager):
    _make(cr_manager, 1, url="https://evil.example.com/")
    note = Notification.objects.get()
    response = client_for(cr_manager).get(reverse("complaints:notification_open", args=[note.pk]))
    assert response.url == reverse("complaints:notification_list")


@pytest.mark.django_db
def test_another_users_notification_is_404(client_for, cr_manager, agent_b):
    _make(agent_b, 1)
    note = Notification.objects.get()
    response = client_for(cr_manager).get(reverse("complaints:notification_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.django_db
def test_mark_all_read(client_for, cr_manager, agent):
    _make(cr_manager, 3)
    _make(agent, 1)
    response = client_for(cr_manager).post(reverse("complaints:notification_mark_all_read"), {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert Notification.objects.filter(read_at=None).count() == 1  # the agent's stays unread


@pytest.mark.django_db
def test_bell_refresh_after_logout_stops_polling(client):
    response = client.get(reverse("complaints:notification_bell"))
    assert response.status_code == 286 and response.content == b""
