"""The complaint list's text filter (case number or customer) and the dispatch form's handler list."""

import lxml.html
import pytest
from django.urls import reverse

from complaints.forms import DispatchForm
from crm.choices import DepartmentKind, Role, StaffRole
from tests.factories import CustomerFactory, DepartmentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _case_numbers(response) -> set[str]:
    rows = lxml.html.fromstring(response.content).xpath('//tr[@data-testid="case-row"]')
    return {row.xpath(".//a")[0].text_content().strip() for row in rows}


def test_list_filters_by_case_number_or_customer_name(client_for, cr_manager, store_a, make_case):
    first = make_case()
    other = make_case(customer=CustomerFactory(store=store_a, name="李娜"))
    client = client_for(cr_manager)
    url = reverse("complaints:case_list")
    assert _case_numbers(client.get(url, {"q": first.case_no})) == {first.case_no}
    assert _case_numbers(client.get(url, {"q": other.case_no[-5:].lower()})) == {other.case_no}
    assert _case_numbers(client.get(url, {"q": "李"})) == {other.case_no}
    assert _case_numbers(client.get(url, {"q": "ab"})) == set()  # too short to mean a case number
    assert _case_numbers(client.get(url)) == {first.case_no, other.case_no}


def test_list_text_filter_is_scoped(client_for, agent_b, make_case):
    case = make_case()
    assert _case_numbers(client_for(agent_b).get(reverse("complaints:case_list"), {"q": case.case_no})) == set()


def test_dispatch_options_say_which_department_each_handler_works_in(store_a, make_case, department_manager):
    service = DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE, manager=department_manager)
    sales = DepartmentFactory(store=store_a, kind=DepartmentKind.SALES)
    seller = UserFactory(username="sc1", display_name="销售甲", roles=[Role.CONSULTANT], stores=[store_a])
    StaffFactory(store=store_a, name="销售甲", role=StaffRole.SALES_CONSULTANT, department=sales, user=seller)
    gm = UserFactory(username="gm2", display_name="总经理", roles=[Role.GENERAL_MANAGER], stores=[store_a])
    form = DispatchForm(case=make_case())
    select = lxml.html.fromstring(str(form["handler"]))
    assert select.get("data-follows") == "department"
    departments = {o.text_content(): o.get("data-departments") for o in select.xpath("//option") if o.get("value")}
    assert departments[str(seller)] == str(sales.pk)
    assert departments[str(department_manager)] == str(service.pk)
    assert departments[str(gm)] == ""  # store-wide: offered whatever the department
    # The server still accepts any handler of the store (the list is a help, not the rule).
    bound = DispatchForm({"department": sales.pk, "handler": gm.pk}, case=make_case())
    assert bound.is_valid(), bound.errors
