"""A sales consultant / service advisor sees the complaints of their own customers and those
handed to them — not every complaint of the store (SPEC §1): lists, counts, the case page and its
actions, notification links, the call and customer pages."""

import pytest
from django.urls import reverse

from complaints.models import Notification
from complaints.notifications import notify
from complaints.selectors import cases_for_user
from complaints.services import case_dispatch, case_transfer
from crm.choices import Role, StaffRole
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(store_a, advisor, cr_manager, make_case, service_department):
    """Sam (advisor) is linked to staff record 周顾问. Cases: his RO customer's, his delivery
    customer's, one handed to him, and two of other advisors' customers."""
    sam = StaffFactory(store=store_a, name="周顾问", role=StaffRole.SERVICE_ADVISOR, user=advisor)
    other = StaffFactory(store=store_a, name="吴顾问", role=StaffRole.SERVICE_ADVISOR)
    ro_customer = RepairOrderFactory(store=store_a, service_advisor=sam).customer
    sold_customer = DeliveryFactory(store=store_a, sales_consultant=sam).customer
    stranger = RepairOrderFactory(store=store_a, service_advisor=other).customer
    handed = make_case(customer=CustomerFactory(store=store_a))
    case_dispatch(case=handed, user=cr_manager, department=service_department, handler=advisor)
    return {
        "own_ro": make_case(customer=ro_customer),
        "own_delivery": make_case(customer=sold_customer),
        "handed": handed,
        "not_mine": make_case(customer=stranger),
        "no_staff": make_case(customer=CustomerFactory(store=store_a)),
    }


def _own(cases):
    return {cases[k].pk for k in ("own_ro", "own_delivery", "handed")}


def test_the_lists_and_their_counts_hold_only_the_consultants_cases(client_for, advisor, cases):
    client = client_for(advisor)
    page = client.get(reverse("complaints:case_list"))
    assert {row.pk for row in page.context["rows"]} == _own(cases)
    assert page.context["page_obj"].paginator.count == 3
    assert cases["not_mine"].case_no not in page.text and cases["no_staff"].case_no not in page.text
    mine = client.get(reverse("complaints:my_cases"))  # handled by him
    assert [row.pk for row in mine.context["rows"]] == [cases["handed"].pk]


def test_another_customers_case_is_404_on_the_page_and_its_actions(client_for, advisor, cases):
    client = client_for(advisor)
    for key in ("own_ro", "own_delivery", "handed"):
        assert client.get(reverse("complaints:case_detail", args=[cases[key].pk])).status_code == 200
    hidden = cases["not_mine"]
    assert client.get(reverse("complaints:case_detail", args=[hidden.pk])).status_code == 404
    action = reverse("complaints:case_action", args=[hidden.pk, "first_contact"])
    assert client.post(action, {"memo": "x"}).status_code == 404
    hidden.refresh_from_db()
    assert hidden.first_contact_at is None


def test_store_wide_roles_and_a_consultant_who_also_manages_see_every_case(cr_manager, store_a, cases):
    assert set(cases_for_user(user=cr_manager).values_list("pk", flat=True)) == {c.pk for c in cases.values()}
    both = UserFactory(username="both", roles=[Role.CONSULTANT, Role.DEPARTMENT_MANAGER], stores=[store_a])
    assert cases_for_user(user=both).count() == 5


def test_a_consultant_without_a_staff_record_sees_only_cases_handed_to_them(
    store_a, cr_manager, make_case, service_department, cases
):
    newcomer = UserFactory(username="newbie", roles=[Role.CONSULTANT], stores=[store_a])
    assert not cases_for_user(user=newcomer).exists()
    case_dispatch(case=cases["no_staff"], user=cr_manager, department=service_department, handler=newcomer)
    assert list(cases_for_user(user=newcomer)) == [cases["no_staff"]]


def test_a_notification_link_to_a_case_no_longer_theirs_is_404(
    client_for, advisor, cr_manager, department_manager, store_a, cases
):
    handed = cases["handed"]
    url = reverse("complaints:case_detail", args=[handed.pk])
    notify(recipients=[advisor], kind="dispatch", title="派发", url=url, dedup_key=f"t-{handed.pk}", email=False)
    client = client_for(advisor)
    notification = Notification.objects.get(recipient=advisor, dedup_key=f"t-{handed.pk}")
    opened = client.get(reverse("complaints:notification_open", args=[notification.pk]))
    assert opened.status_code == 302 and client.get(opened.url).status_code == 200
    other = UserFactory(username="wu", roles=[Role.CONSULTANT], stores=[store_a])
    case_transfer(case=handed, user=cr_manager, store=store_a, role=Role.CONSULTANT, handler=other, memo="换人")
    opened = client.get(reverse("complaints:notification_open", args=[notification.pk]))
    assert client.get(opened.url).status_code == 404


def test_customer_page_timeline_lists_only_the_consultants_complaints(client_for, advisor, cases):
    client = client_for(advisor)
    stranger = cases["not_mine"].customer
    html = client.get(reverse("crm:customer_detail", args=[stranger.pk])).content.decode()
    assert cases["not_mine"].case_no not in html
    own = cases["own_ro"].customer
    assert cases["own_ro"].case_no in client.get(reverse("crm:customer_detail", args=[own.pk])).content.decode()


def test_call_page_lists_the_complaints_the_user_may_see(client_for, agent, advisor, store_a, cases):
    from callbacks.selectors import customer_complaints

    task = SalesTaskFactory(delivery=DeliveryFactory(store=store_a, customer=cases["not_mine"].customer))
    page = client_for(agent).get(reverse("callbacks:call", args=[task.pk]))
    assert cases["not_mine"].case_no in page.content.decode()  # an agent sees the store's complaints
    assert customer_complaints(user=advisor, customer_id=task.customer_id) == []
