"""我的满意度: a sales consultant / service advisor reads their own month — the figures of the GM's
staff page, by the same selectors — with a twelve-month trend against the store, their dissatisfied
customers (phones masked per role) and their complaints. Only their own, within their stores."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from crm.choices import Role
from reports.dashboard import board as dashboard
from tests.factories import UserFactory
from tests.reports.factories import local, make_case, make_task, sales_consultant, service_advisor

pytestmark = pytest.mark.django_db

MONTH = "2025-03"
MARCH = dt.date(2025, 3, 1)
URL = reverse("reports:my_satisfaction")


@pytest.fixture(autouse=True)
def early_april():
    """Early April 2025: the page opens on March, as the dashboard does."""
    with time_machine.travel(local(2025, 4, 2, 9), tick=False):
        yield


def consultant_user(store, staff=None, **kwargs):
    user = UserFactory(roles=[Role.CONSULTANT], stores=[store], **kwargs)
    if staff is not None:
        staff.user = user
        staff.save(update_fields=["user"])
    return user


def test_advisor_sees_own_month_same_figures_as_gm_staff_page(client_for, general_manager, store_a):
    sa = service_advisor(store_a, "周顾问")
    colleague = service_advisor(store_a, "吴顾问")
    unhappy = make_task(staff=sa, source=local(2025, 3, 5, 10), score=3)
    grumbled = make_task(staff=sa, source=local(2025, 3, 6, 10), score=9, grumble=True)
    happy = make_task(staff=sa, source=local(2025, 3, 7, 10), score=10)
    make_task(staff=sa, source=local(2025, 2, 7, 10), score=2)  # February: not this month's
    make_task(staff=colleague, source=local(2025, 3, 8, 10), score=1)  # the colleague's
    case = make_case(store=store_a, customer=unhappy.customer, received_at=local(2025, 3, 9, 10))
    user = consultant_user(store_a, sa)

    response = client_for(user).get(URL)  # default: last month
    assert response.status_code == 200
    assert response.context["month_value"] == MONTH
    page = response.content.decode()
    assert "周顾问" in page and case.case_no in page
    # The same summary as the general manager's drill-down of the same person and month.
    gm_page = client_for(general_manager).get(
        reverse("reports:dashboard_staff", args=[sa.pk]), {"month": MONTH, "kind": "service"}
    )
    mine = response.context["summary"]
    assert mine == gm_page.context["summary"]
    assert mine["row"]["tasks"] == 3 and mine["row"]["dissatisfied"] == 1 and mine["row"]["grumbles"] == 1
    dissatisfied = next(m for m in mine["measures"] if m["code"] == "dissatisfied")
    assert (dissatisfied["store_bad"], dissatisfied["store_total"]) == (2, 4)  # compared with the store

    unhappy_ids = {t.pk for t in response.context["unhappy_tasks"]}
    assert unhappy_ids == {unhappy.pk, grumbled.pk} and happy.pk not in unhappy_ids
    # A consultant does not hold crm.view_full_phone: phones are masked.
    mobile = unhappy.customer.mobile
    assert mobile not in page and f"{mobile[:3]}****{mobile[-4:]}" in page

    trend = response.context["trend"]
    assert [m["month"] for m in trend[:2]] == ["2024-04", "2024-05"] and len(trend) == 12
    feb, march = trend[-2], trend[-1]
    assert feb["tasks"] == 1 and feb["dissatisfied_rate"] == 1.0
    assert march["tasks"] == 3 and march["store_tasks"] == 4
    assert march["full_rate"] == pytest.approx(2 / 3) and march["store_full_rate"] == pytest.approx(2 / 4)
    assert response.context["trend_chart"]["full_rate"][-1] == 66.7


def test_month_picker_moves_the_month(client_for, store_a):
    sa = sales_consultant(store_a, "郑销售")
    make_task(staff=sa, kind="sales", source=local(2025, 1, 10, 10), score=4)
    response = client_for(consultant_user(store_a, sa)).get(URL, {"month": "2025-01"})
    assert response.context["kind"] == "sales"
    assert response.context["summary"]["row"]["tasks"] == 1
    assert len(response.context["unhappy_tasks"]) == 1


def test_user_without_staff_record_gets_a_clear_message(client_for, store_a):
    response = client_for(consultant_user(store_a)).get(URL)
    assert response.status_code == 200
    assert "还没有关联员工档案" in response.content.decode()
    assert "summary" not in response.context


def test_staff_record_of_a_store_the_user_cannot_see_is_not_theirs(client_for, store_a, store_b):
    sa = service_advisor(store_b, "乙店顾问")
    make_task(staff=sa, source=local(2025, 3, 5, 10), score=3)
    response = client_for(consultant_user(store_a, sa)).get(URL)
    assert response.context["staff"] is None
    assert "乙店顾问" not in response.content.decode()


def test_consultant_cannot_open_another_staff_members_figures(client_for, store_a):
    sa = service_advisor(store_a, "周顾问")
    colleague = service_advisor(store_a, "吴顾问")
    make_task(staff=colleague, source=local(2025, 3, 5, 10), score=3)
    client = client_for(consultant_user(store_a, sa))
    # The GM's drill-down is not theirs to open, for a colleague or for themselves.
    assert client.get(reverse("reports:dashboard_staff", args=[colleague.pk])).status_code == 403
    # Their own page takes no staff id: a forged one changes nothing.
    response = client.get(URL, {"staff": colleague.pk, "pk": colleague.pk})
    assert response.context["staff"] == sa
    assert response.context["summary"]["row"] is None
    assert "吴顾问" not in response.content.decode()


def test_other_roles_are_refused(client_for, agent, general_manager, cr_manager):
    for user in (agent, general_manager, cr_manager):
        assert client_for(user).get(URL).status_code == 403


def test_landing_page_and_nav_item(client_for, store_a, general_manager):
    client = client_for(consultant_user(store_a, service_advisor(store_a, "周顾问")))
    response = client.get(reverse("crm:home"))
    assert response.status_code == 302 and response.url == URL
    assert f'href="{URL}"' in client.get(URL).content.decode()
    assert f'href="{URL}"' not in client_for(general_manager).get(reverse("reports:dashboard")).content.decode()


def test_query_count_does_not_grow(client_for, store_a, django_assert_max_num_queries):
    sa = service_advisor(store_a, "周顾问")
    task = make_task(staff=sa, source=local(2025, 3, 5, 10), score=2)
    make_case(store=store_a, customer=task.customer, received_at=local(2025, 3, 9, 10))
    client = client_for(consultant_user(store_a, sa))
    client.get(URL)  # stores the store's figures of the twelve months
    with django_assert_max_num_queries(13) as few:
        client.get(URL)
    for day in (10, 11, 12, 13):
        more = make_task(staff=sa, source=local(2025, 3, day, 10), score=1, grumble=True)
        make_case(store=store_a, customer=more.customer, received_at=local(2025, 3, day + 5, 10))
    dashboard_rows = dashboard.staff_month_unhappy_tasks(staff=sa, kind="service", month=MARCH)
    assert dashboard_rows.count() == 5
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["unhappy_tasks"]) == 5 and len(response.context["cases"]) == 5
