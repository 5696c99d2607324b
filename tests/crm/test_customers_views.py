"""Customer list and customer page: search, scoping, masking, query counts, section edits, audit."""

import pytest
from django.urls import reverse

from crm.choices import CardType, Role
from crm.models import Customer
from tests.factories import (
    CustomerFactory,
    DeliveryFactory,
    RepairOrderFactory,
    UserFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("crm:customer_list")


def detail(customer):
    return reverse("crm:customer_detail", args=[customer.pk])


def test_anonymous_user_goes_to_login(client, store_a):
    customer = CustomerFactory(store=store_a)
    for url in (LIST, detail(customer), reverse("crm:customer_edit", args=[customer.pk, "contact"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_agent_of_store_a_gets_404_for_store_b_customer(client_for, agent, store_b):
    other = CustomerFactory(store=store_b)
    client = client_for(agent)
    assert client.get(detail(other)).status_code == 404
    assert client.get(reverse("crm:customer_edit", args=[other.pk, "contact"])).status_code == 404
    response = client.post(reverse("crm:customer_edit", args=[other.pk, "contact"]), {"mobile": "13900000000"})
    assert response.status_code == 404


def test_list_shows_none_of_another_stores_customers(client_for, agent, store_a, store_b):
    mine = CustomerFactory(store=store_a, name="张伟")
    CustomerFactory(store=store_b, name="张敏")
    client = client_for(agent)
    page = list(client.get(LIST).context["page_obj"])
    assert page == [mine]
    # Asking for store B's id through the filter gives nothing either: the store is not offered,
    # and the search still applies to the user's own stores.
    page = list(client.get(LIST, {"store": store_b.pk, "q": "张"}).context["page_obj"])
    assert page == [mine]
    assert "张敏" not in client.get(LIST, {"q": "张"}).content.decode()


def test_search_by_another_stores_mobile_plate_or_vin_finds_nothing(client_for, agent, store_a, store_b):
    """IDOR: every search branch (exact and partial mobile, plate, VIN and its serial) stays in the
    user's stores; the same mobile in her own store is found, so the search itself works."""
    foreign = CustomerFactory(store=store_b, name="外店客户", mobile="13912345678")
    vehicle = VehicleFactory(store=store_b, owner=foreign, plate="皖A77777")
    mine = CustomerFactory(store=store_a, name="本店客户", mobile=foreign.mobile)
    client = client_for(agent)
    for query in (foreign.mobile, foreign.mobile[-4:], vehicle.plate, "77777", vehicle.vin, vehicle.vin[-6:], "外店"):
        response = client.get(reverse("crm:customer_list"), {"q": query})
        expected = [mine] if query in (foreign.mobile, foreign.mobile[-4:]) else []
        assert list(response.context["page_obj"]) == expected, query
        assert "外店客户" not in response.content.decode()


def test_group_level_user_sees_every_store(client_for, administrator, store_a, store_b):
    a, b = CustomerFactory(store=store_a), CustomerFactory(store=store_b)
    page = list(client_for(administrator).get(LIST).context["page_obj"])
    assert set(page) == {a, b}


def test_list_searches_by_plate_and_filters_by_card_type(client_for, agent, store_a):
    v = VehicleFactory(store=store_a, plate="皖N8K123")
    VehicleFactory(store=store_a, plate="皖N55555")
    c_card = CustomerFactory(store=store_a, card_type=CardType.C)
    client = client_for(agent)
    assert list(client.get(LIST, {"q": "皖N·8K123"}).context["page_obj"]) == [v.owner]
    assert list(client.get(LIST, {"card_type": "C"}).context["page_obj"]) == [c_card]


def test_user_without_view_customer_permission_gets_403(client_for, store_a):
    nobody = UserFactory(stores=[store_a])
    assert client_for(nobody).get(LIST).status_code == 403


def test_phone_masked_for_roles_without_full_phone_permission(client_for, store_a, agent):
    CustomerFactory(store=store_a, mobile="13812341234", landline="0564-3334567")
    consultant = UserFactory(roles=[Role.CONSULTANT], stores=[store_a])
    html = client_for(consultant).get(LIST).content.decode()
    assert "138****1234" in html
    assert "13812341234" not in html
    html = client_for(agent).get(LIST).content.decode()
    assert "13812341234" in html


def test_customer_page_masks_phone_and_id_number_for_consultant(client_for, store_a):
    customer = CustomerFactory(store=store_a, mobile="13812341234", id_number="34010419850615001X")
    consultant = UserFactory(roles=[Role.CONSULTANT], stores=[store_a])
    html = client_for(consultant).get(detail(customer)).content.decode()
    assert "138****1234" in html and "13812341234" not in html
    assert "340104********001X" in html and "34010419850615001X" not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_is_constant(client_for, agent, store_a, django_assert_num_queries, rows):
    for _ in range(rows):
        VehicleFactory(store=store_a)
    client = client_for(agent)
    client.get(LIST)  # warm the content-type and permission caches
    # session, user, permissions (crm.authentication: one query), role codes, user stores, count, page,
    # vehicles, the store filter's options, the bell (count and latest items in one query; the user
    # menu's roles come from the role codes)
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert len(response.context["page_obj"]) == min(rows, 25)


@pytest.mark.parametrize("visits", [1, 8])
def test_customer_page_query_count_is_constant(client_for, agent, store_a, django_assert_num_queries, visits):
    customer = CustomerFactory(store=store_a)
    for _ in range(visits):
        delivery = DeliveryFactory(store=store_a, customer=customer)
        RepairOrderFactory(store=store_a, customer=customer, vehicle=delivery.vehicle)
    client = client_for(agent)
    client.get(detail(customer))
    # session, user, permissions (one query), role codes, stores, customer, vehicles, ownerships,
    # deliveries, repair orders, audit entries, the bell (1), the callbacks, complaints and SMS
    # timeline providers (1 each), the reminders provider (2: reminders, outreach contacts), the
    # win-back card flag and timeline provider (1 each), the club's card flag (1: the member cards),
    # the grumbles timeline provider (1: hot alerts not turned into cases, with their table-5 row);
    # the telephony timeline provider (1: the calls); the user menu's roles come from the role codes
    with django_assert_num_queries(23):
        response = client.get(detail(customer))
    assert len(response.context["vehicles"]) == visits
    assert len(response.context["timeline"]) == 2 * visits


def test_customer_page_shows_card_sections_vehicles_and_timeline(client_for, agent, store_a):
    ro = RepairOrderFactory(store=store_a, ro_no="WX2026001", customer__name="刘洋", customer__hobbies="钓鱼")
    response = client_for(agent).get(detail(ro.customer))
    html = response.content.decode()
    for text in ("刘洋", "基本信息", "联系信息", "个人信息", "客户关系", "钓鱼", ro.vehicle.vin, "WX2026001"):
        assert text in html


def test_agent_edits_contact_section_and_sees_audit_entry(client_for, agent, store_a):
    customer = CustomerFactory(store=store_a, mobile="13900000001", city="")
    client = client_for(agent)
    url = reverse("crm:customer_edit", args=[customer.pk, "contact"])
    assert client.get(url).status_code == 200
    data = {"mobile": "13900000002", "city": "六安市", "may_call": "on", "may_sms": "on"}
    response = client.post(url, data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.mobile, customer.city) == ("13900000002", "六安市")
    rows = client.get(detail(customer)).context["audit_rows"]
    changes = {(c.field, c.old, c.new) for c in rows[0].changes}
    assert ("手机", "13900000001", "13900000002") in changes
    assert ("城市", "—", "六安市") in changes
    assert rows[0].actor == "王丽"


def test_edit_rejects_invalid_mobile_and_changes_nothing(client_for, agent, store_a):
    customer = CustomerFactory(store=store_a, mobile="13900000001")
    response = client_for(agent).post(
        reverse("crm:customer_edit", args=[customer.pk, "contact"]), {"mobile": "12345", "may_call": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"]
    customer.refresh_from_db()
    assert customer.mobile == "13900000001"


def test_edit_requires_change_permission(client_for, store_a):
    customer = CustomerFactory(store=store_a)
    gm = UserFactory(roles=[Role.GENERAL_MANAGER], stores=[store_a])
    assert client_for(gm).get(reverse("crm:customer_edit", args=[customer.pk, "basic"])).status_code == 403
    assert "edit-basic" not in client_for(gm).get(detail(customer)).content.decode()


def test_unknown_section_is_404(client_for, agent, store_a):
    customer = CustomerFactory(store=store_a)
    assert client_for(agent).get(reverse("crm:customer_edit", args=[customer.pk, "nope"])).status_code == 404


def test_edit_rejects_a_name_and_mobile_that_another_file_has(client_for, agent, store_a):
    CustomerFactory(store=store_a, name="王芳", mobile="13900000009")
    customer = CustomerFactory(store=store_a, name="王芳", mobile="13900000008")
    response = client_for(agent).post(
        reverse("crm:customer_edit", args=[customer.pk, "contact"]), {"mobile": "13900000009"}
    )
    assert response.status_code == 200
    assert Customer.objects.get(pk=customer.pk).mobile == "13900000008"
