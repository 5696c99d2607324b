import pytest
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
