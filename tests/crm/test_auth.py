import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from crm.choices import Role
from crm.models import Customer
from crm.scoping import scope_for_user
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("crm:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_role_groups_exist_with_permissions():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    assert Group.objects.get(name=Role.CALLBACK_AGENT).permissions.filter(codename="view_customer").exists()


def test_scope_limits_to_the_users_stores(agent, agent_b, store_a, store_b, administrator):
    mine = CustomerFactory(store=store_a)
    theirs = CustomerFactory(store=store_b)
    assert list(scope_for_user(Customer.objects.all(), agent)) == [mine]
    assert list(scope_for_user(Customer.objects.all(), agent_b)) == [theirs]
    assert set(scope_for_user(Customer.objects.all(), administrator)) == {mine, theirs}


def test_login_is_throttled_after_five_failures(client, agent):
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": "alice", "password": "wrong"})
    response = client.post(url, {"username": "alice", "password": "pw-12345-test"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def _fail(client, username, ip="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": "Winter2026!"}, REMOTE_ADDR=ip)


def _login(client, ip="10.1.1.1"):
    return client.post(reverse("login"), {"username": "alice", "password": "pw-12345-test"}, REMOTE_ADDR=ip)


def test_one_ip_spraying_one_password_across_usernames_is_locked_out(client, agent, settings):
    """Per (username, IP) alone, 20 users x 4 tries would never lock: the IP limit does."""
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_IP_FAILURE_LIMIT) == (5, 20)
    for n in range(19):
        assert _fail(client, f"user{n}").status_code == 200  # the login form again, no lock
    assert _login(client).status_code == 302  # 19 failures from this IP: alice still logs in
    client.logout()
    for n in range(19, 39):
        _fail(client, f"user{n}")
    response = _login(client)  # the right password, but from a locked IP
    assert response.status_code == 429 and "锁定" in response.content.decode()
    assert _fail(client, "nobody-yet").status_code == 429
    assert _login(client, ip="10.2.2.2").status_code == 302  # another IP is not locked


def test_the_ip_lock_ends_after_the_cool_off(client, agent):
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for n in range(20):
            _fail(client, f"user{n}")
        assert _login(client).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert _login(client).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert _login(client).status_code == 302


def test_login_with_right_password_works(client, agent):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-12345-test"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_user_menu_names_the_roles_in_the_users_language(client_for, cr_manager):
    from django.conf import settings

    client = client_for(cr_manager)
    page = client.get(reverse("crm:customer_list")).content.decode()
    assert "客关部经理" in page and "cr_manager" not in page  # the label, not the group's code
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "CR manager" in client.get(reverse("crm:customer_list")).content.decode()
