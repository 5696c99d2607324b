"""The administrator's pages: users (roles, stores, staff link, password, deactivation), stores and
departments — administrators and superusers only, every change audit-logged, list query counts
that do not grow with rows."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from crm.choices import DepartmentKind, Role, StaffRole
from crm.models import Department, Store, User
from crm.scoping import stores_for_user
from tests.factories import CustomerFactory, StaffFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Xin-bao-2026!"


def logs_in(client, username: str, password: str) -> bool:
    """Through the real login form (axes needs the request), in the client's own session."""
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def new_user_post(store, **overrides):
    data = {
        "username": "newagent",
        "display_name": "新回访员",
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "roles": [Role.CALLBACK_AGENT],
        "stores": [store.pk],
        "is_active": "on",
        "staff": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_administrator_creates_a_user_who_logs_in_and_sees_that_store_only(
    client_for, client, administrator, store_a, store_b
):
    mine = CustomerFactory(store=store_a, name="甲店客户")
    CustomerFactory(store=store_b, name="乙店客户")
    response = client_for(administrator).post(reverse("crm:user_create"), new_user_post(store_a))
    assert response.status_code == 302 and response.url == reverse("crm:user_list")

    created = User.objects.get(username="newagent")
    assert created.display_name == "新回访员" and created.is_active and not created.is_staff
    assert created.role_codes == {Role.CALLBACK_AGENT}
    # Audit-logged, with the administrator as the actor.
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(created.pk), action=LogEntry.Action.CREATE
    )
    assert entry.actor == administrator and "password" not in entry.changes_dict

    assert logs_in(client, "newagent", PASSWORD)
    assert list(stores_for_user(created)) == [store_a]
    page = client.get(reverse("crm:customer_list")).content.decode()
    assert mine.name in page and "乙店客户" not in page
    assert client.get(reverse("crm:user_list")).status_code == 403


@pytest.mark.parametrize("fixture", ["agent", "cr_manager", "general_manager", "department_manager"])
def test_non_administrators_get_403(request, client_for, fixture, store_a):
    department = Department.objects.create(store=store_a, kind=DepartmentKind.SALES)
    client = client_for(request.getfixturevalue(fixture))
    urls = [
        reverse("crm:user_list"),
        reverse("crm:user_create"),
        reverse("crm:user_edit", args=[client.session["_auth_user_id"]]),
        reverse("crm:store_list"),
        reverse("crm:store_create"),
        reverse("crm:store_edit", args=[store_a.pk]),
        reverse("crm:department_create", args=[store_a.pk]),
        reverse("crm:department_edit", args=[store_a.pk, department.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("crm:user_create"), new_user_post(store_a)).status_code == 403
    assert client.post(reverse("crm:user_deactivate", args=[client.session["_auth_user_id"]])).status_code == 403
    assert not User.objects.filter(username="newagent").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("crm:user_list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_superuser_may_manage_and_nav_items_show_to_administrators_only(client_for, administrator, cr_manager):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert client_for(superuser).get(reverse("crm:user_list")).status_code == 200
    page = client_for(administrator).get(reverse("crm:user_list")).content.decode()
    assert "用户管理" in page and f'href="{reverse("crm:store_list")}"' in page
    page = client_for(cr_manager).get(reverse("complaints:case_list")).content.decode()
    assert f'href="{reverse("crm:user_list")}"' not in page


def test_user_list_search_and_filters(client_for, administrator, store_a, store_b):
    UserFactory(username="wang", display_name="王芳", roles=[Role.CALLBACK_AGENT], stores=[store_a])
    UserFactory(username="li", display_name="李强", roles=[Role.CR_MANAGER], stores=[store_b])
    UserFactory(username="zhao", display_name="赵敏", roles=[Role.CALLBACK_AGENT], stores=[store_b], is_active=False)
    client = client_for(administrator)

    def names(**params):
        return {u.username for u in client.get(reverse("crm:user_list"), params).context["page_obj"]}

    assert names(q="王") == {"wang"}
    assert names(store=store_b.pk) == {"li", "zhao"}
    assert names(role=Role.CALLBACK_AGENT) == {"wang", "zhao"}
    assert names(role=Role.CALLBACK_AGENT, active="1") == {"wang"}
    assert names(active="0") == {"zhao"}
    page = client.get(reverse("crm:user_list"), {"q": "li"}).content.decode()
    assert "客关部经理" in page and store_b.name in page  # roles by their Chinese names
    # An administrator sees every store (crm.scoping), whatever stores the account lists.
    admin_row = client.get(reverse("crm:user_list"), {"q": "admin1"}).context["page_obj"][0]
    assert admin_row.sees_every_store and not admin_row.is_group_level


def test_user_list_query_count_does_not_grow(
    client_for, administrator, store_a, store_b, django_assert_max_num_queries
):
    client = client_for(administrator)
    UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])
    client.get(reverse("crm:user_list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("crm:user_list"))
    for i in range(12):
        user = UserFactory(roles=[Role.CALLBACK_AGENT, Role.RECEPTION], stores=[store_a, store_b])
        StaffFactory(store=store_a, name=f"员工{i}", user=user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("crm:user_list"))
    assert len(response.context["page_obj"].object_list) == 14


def test_edit_roles_link_staff_and_change_password(client_for, administrator, store_a, store_b):
    user = UserFactory(username="sc1", roles=[Role.CALLBACK_AGENT], stores=[store_a])
    staff = StaffFactory(store=store_a, name="梁默", role=StaffRole.SALES_CONSULTANT)
    other_store_staff = StaffFactory(store=store_b, name="郑凯")
    admin = client_for(administrator)
    url = reverse("crm:user_edit", args=[user.pk])
    form = admin.get(url).context["form"]
    assert form.initial["roles"] == [Role.CALLBACK_AGENT]

    # A staff record of a store the user does not belong to is refused.
    post = new_user_post(store_a, username="sc1", roles=[Role.CONSULTANT], staff=other_store_staff.pk, password1="")
    post["password2"] = ""
    response = admin.post(url, post)
    assert response.status_code == 200 and "员工档案所在门店" in response.content.decode()

    post.update(staff=staff.pk, password1="Another-pass-99", password2="Another-pass-99")
    assert admin.post(url, post).status_code == 302
    user.refresh_from_db()
    staff.refresh_from_db()
    assert user.role_codes == {Role.CONSULTANT} and staff.user == user
    consultant = Client()
    assert logs_in(consultant, "sc1", "Another-pass-99")
    # The consultant now reads their own figures.
    assert consultant.get(reverse("reports:my_satisfaction")).context["staff"] == staff

    # Unlinking: the staff record is free again.
    post.update(staff="", password1="", password2="")
    assert admin.post(url, post).status_code == 302
    staff.refresh_from_db()
    assert staff.user is None


def test_password_rules_apply(client_for, administrator, store_a):
    response = client_for(administrator).post(
        reverse("crm:user_create"), new_user_post(store_a, password1="123", password2="123")
    )
    assert response.status_code == 200 and not User.objects.filter(username="newagent").exists()
    assert response.context["form"].errors["password1"]


def test_deactivate_keeps_the_user_and_refuses_self(client_for, client, administrator, store_a):
    user = UserFactory(username="leaver", roles=[Role.CALLBACK_AGENT], stores=[store_a])
    admin = client_for(administrator)
    assert admin.post(reverse("crm:user_deactivate", args=[user.pk])).status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert admin.get(reverse("crm:user_deactivate", args=[user.pk])).status_code == 405  # POST only
    admin.post(reverse("crm:user_deactivate", args=[administrator.pk]))
    administrator.refresh_from_db()
    assert administrator.is_active
    assert not logs_in(client, "leaver", "pw-12345-test")


def test_only_a_superuser_edits_a_superuser(client_for, administrator):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    post = {"username": "root", "display_name": "x", "is_active": "on", "password1": "", "password2": ""}
    response = client_for(administrator).post(reverse("crm:user_edit", args=[root.pk]), post)
    assert response.status_code == 200 and "只有超级用户" in response.content.decode()
    root.refresh_from_db()
    assert root.display_name != "x"


def test_stores_and_departments(client_for, administrator, store_a, django_assert_max_num_queries):
    manager = UserFactory(username="mgr", roles=[Role.DEPARTMENT_MANAGER], stores=[store_a])
    admin = client_for(administrator)
    response = admin.post(
        reverse("crm:store_create"),
        {"code": "AQ", "name": "安庆鑫宝丰田", "phone": "0556-1234567", "address": "安庆市", "is_active": "on"},
    )
    assert response.status_code == 302
    store = Store.objects.get(code="AQ")
    assert LogEntry.objects.get_for_object(store).get().actor == administrator

    response = admin.post(
        reverse("crm:store_edit", args=[store.pk]),
        {"code": "AQ", "name": "安庆鑫宝丰田4S店", "phone": "", "address": "", "is_active": ""},
    )
    store.refresh_from_db()
    assert store.name == "安庆鑫宝丰田4S店" and not store.is_active

    url = reverse("crm:department_create", args=[store_a.pk])
    assert admin.post(url, {"kind": DepartmentKind.SERVICE, "manager": manager.pk}).status_code == 302
    department = Department.objects.get(store=store_a, kind=DepartmentKind.SERVICE)
    assert department.manager == manager
    # One department of a kind per store (the database constraint): a second is refused on the form.
    response = admin.post(url, {"kind": DepartmentKind.SERVICE, "manager": ""})
    assert response.status_code == 200 and "该门店已有此部门" in response.content.decode()
    # A manager must be one of the store's users.
    outsider = UserFactory(username="outsider", stores=[StoreFactory(code="ZZ")])
    edit = reverse("crm:department_edit", args=[store_a.pk, department.pk])
    assert admin.post(edit, {"kind": DepartmentKind.SERVICE, "manager": outsider.pk}).status_code == 200
    assert admin.post(edit, {"kind": DepartmentKind.SALES, "manager": ""}).status_code == 302
    department.refresh_from_db()
    assert department.kind == DepartmentKind.SERVICE and department.manager is None  # kind stays

    Department.objects.create(store=store, kind=DepartmentKind.SALES, manager=manager)
    with django_assert_max_num_queries(10) as few:
        admin.get(reverse("crm:store_list"))
    for code in ("T1", "T2", "T3"):
        more = StoreFactory(code=code)
        for kind in (DepartmentKind.SALES, DepartmentKind.SERVICE):
            Department.objects.create(store=more, kind=kind, manager=manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin.get(reverse("crm:store_list")).content.decode()
    assert "T3" in page and "销售部" in page
