"""Complaint pages: intake with prefill, coloured lists with filters, the case page, store scoping."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from complaints.choices import Action, CaseState, Category, Channel
from complaints.models import Case
from complaints.services import case_dispatch
from tests.factories import CustomerFactory, DepartmentFactory, VehicleFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


def _hot_alert(store, customer=None):
    from django.utils import timezone

    from callbacks.models import HotAlert
    from tests.callbacks.factories import SalesTaskFactory
    from tests.factories import DeliveryFactory

    delivery = DeliveryFactory(store=store, **({"customer": customer} if customer else {}))
    return HotAlert.objects.create(task=SalesTaskFactory(delivery=delivery), raised_at=timezone.now())


def test_intake_prefilled_from_a_hot_alert(client_for, agent, customer_a, store_a):
    vehicle = VehicleFactory(store=store_a, owner=customer_a)
    alert = _hot_alert(store_a, customer_a)
    client = client_for(agent)
    url = reverse("complaints:case_create")
    params = {"customer": customer_a.pk, "vehicle": vehicle.pk, "content": "保养太慢", "hot_alert": alert.pk}
    page = client.get(url, params)
    assert page.status_code == 200
    assert "保养太慢" in page.text and customer_a.name in page.text
    response = client.post(
        url,
        {
            "customer_id": customer_a.pk,
            "vehicle_id": vehicle.pk,
            "hot_alert_id": alert.pk,
            "channel": Channel.CALLBACK,
            "category": Category.ATTITUDE,
            "content": "保养太慢，等了三个小时",
            "demand": "道歉",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("complaints:case_detail", args=[case.pk])
    assert (case.customer, case.vehicle, case.hot_alert_id, case.level) == (customer_a, vehicle, alert.pk, "C")
    # The alert knows its case (one FK, from the case), and is handled as that case from now on.
    alert.refresh_from_db()
    assert list(alert.complaint_cases.all()) == [case]
    assert alert.closed_at == case.received_at and alert.closed_by == agent
    assert alert.close_note == f"已转投诉 {case.case_no}"


def test_intake_by_mobile_and_unknown_mobile(client_for, agent, customer_a):
    client = client_for(agent)
    url = reverse("complaints:case_create")
    data = {"mobile": "13800000000", "channel": Channel.PHONE, "category": Category.OTHER, "content": "x"}
    assert "未找到客户" in client.post(url, data).text
    data["mobile"] = customer_a.mobile
    assert client.post(url, data).status_code == 302
    assert Case.objects.get().customer == customer_a


def test_intake_resolves_mobile_vehicle_and_hot_alert_within_the_users_stores(
    client_for, agent, customer_a, store_a, store_b
):
    """IDOR: another store's mobile, vehicle id and hot alert id are not reached through intake."""
    foreign = CustomerFactory(store=store_b, mobile="13900001111")
    foreign_vehicle = VehicleFactory(store=store_b, owner=foreign)
    foreign_alert = _hot_alert(store_b)
    client = client_for(agent)
    url = reverse("complaints:case_create")
    data = {"mobile": foreign.mobile, "channel": Channel.PHONE, "category": Category.OTHER, "content": "x"}
    assert "未找到客户" in client.post(url, data).text
    assert not Case.objects.exists()
    page = client.get(url, {"customer": customer_a.pk, "vehicle": foreign_vehicle.pk, "hot_alert": foreign_alert.pk})
    assert foreign_vehicle.vin not in page.text and page.context["hot_alert_id"] is None
    data = {
        "customer_id": customer_a.pk,
        "vehicle_id": foreign_vehicle.pk,
        "hot_alert_id": foreign_alert.pk,
        "channel": Channel.CALLBACK,
        "category": Category.OTHER,
        "content": "x",
    }
    assert client.post(url, data).status_code == 302
    case = Case.objects.get()
    assert (case.customer, case.vehicle, case.hot_alert_id) == (customer_a, None, None)


def test_prefill_ignores_another_stores_customer(client_for, agent, store_b):
    foreign = CustomerFactory(store=store_b, name="外店客户")
    page = client_for(agent).get(reverse("complaints:case_create"), {"customer": foreign.pk})
    assert "外店客户" not in page.text


def test_case_page_of_another_store_is_404(client_for, agent_b, make_case):
    case = make_case()
    assert client_for(agent_b).get(reverse("complaints:case_detail", args=[case.pk])).status_code == 404
    post = client_for(agent_b).post(reverse("complaints:case_action", args=[case.pk, Action.UNFOUNDED]), {"memo": "x"})
    assert post.status_code == 404
    assert Case.objects.get(pk=case.pk).state == CaseState.NEW


def test_case_page_shows_only_allowed_actions(client_for, agent, cr_manager, make_case):
    case = make_case()
    url = reverse("complaints:case_detail", args=[case.pk])
    agent_page = client_for(agent).get(url).text
    assert 'data-testid="action-' not in agent_page
    manager_page = client_for(cr_manager).get(url).text
    for action in (Action.DISPATCH, Action.UNFOUNDED, Action.FIRST_CONTACT):
        assert f'data-testid="action-{action}"' in manager_page
    assert f'data-testid="action-{Action.CLOSE}"' not in manager_page
    assert "派发（30分钟）" in manager_page


def test_action_post_runs_the_service_and_refuses_with_message(
    client_for, cr_manager, agent, make_case, service_department, advisor
):
    case = make_case()
    url = reverse("complaints:case_action", args=[case.pk, Action.DISPATCH])
    data = {"department": service_department.pk, "handler": advisor.pk}
    refused = client_for(agent).post(url, data, follow=True)
    assert "无权执行" in refused.text
    assert Case.objects.get(pk=case.pk).state == CaseState.NEW
    client_for(cr_manager).post(url, data)
    assert Case.objects.get(pk=case.pk).state == CaseState.DISPATCHED


def test_list_colours_filters_sorts_and_query_count(
    client_for, cr_manager, make_case, store_a, store_b, django_assert_max_num_queries
):
    with time_machine.travel(RECEIVED, tick=False):
        red = make_case()
    with time_machine.travel(RECEIVED + dt.timedelta(hours=5), tick=False):
        yellow = make_case(customer=CustomerFactory(store=store_a))
        for _ in range(10):
            make_case(customer=CustomerFactory(store=store_a))
    other_store = CustomerFactory(store=store_b)
    with time_machine.travel(RECEIVED, tick=False):
        Case.objects.create(
            case_no="HF-1",
            store=store_b,
            customer=other_store,
            channel="phone",
            category="other",
            level="D",
            content="外店",
            received_at=RECEIVED,
        )
    client = client_for(cr_manager)
    with time_machine.travel(RECEIVED + dt.timedelta(hours=25), tick=False):
        # Session, user, permissions, roles, stores, bell (3), departments, count, rows: not per row.
        with django_assert_max_num_queries(12):
            page = client.get(reverse("complaints:case_list"))
        rows = list(page.context["page_obj"])
        assert [c.pk for c in rows[:2]] == [red.pk, yellow.pk]
        assert len(rows) == 12  # store B's case is not listed
        assert 'class="sla-red"' in page.text and "badge sla-red" in page.text
        only_red = client.get(reverse("complaints:case_list"), {"colour": "red"})
        assert [c.pk for c in only_red.context["page_obj"]] == [red.pk]


def test_department_inbox_and_my_cases(
    client_for, cr_manager, department_manager, advisor, make_case, service_department
):
    mine = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    make_case()
    inbox = client_for(department_manager).get(reverse("complaints:department_inbox"))
    assert [c.pk for c in inbox.context["page_obj"]] == [mine.pk]
    my = client_for(advisor).get(reverse("complaints:my_cases"))
    assert [c.pk for c in my.context["page_obj"]] == [mine.pk]


@pytest.mark.parametrize("name", ["case_list", "my_cases", "department_inbox", "escalations", "case_create"])
def test_pages_need_login(client, name):
    assert client.get(reverse(f"complaints:{name}")).status_code == 302


def test_filter_selects_render_as_djangos_select_would():
    """PlainSelect writes the options in Python; the browser must get the same options."""
    from html.parser import HTMLParser

    from django import forms

    from complaints.forms import PlainSelect

    class Options(HTMLParser):
        def __init__(self, html):
            super().__init__()
            self.found, self.current = [], None
            self.feed(html)

        def handle_starttag(self, tag, attrs):
            if tag in ("select", "option"):
                self.current = [tag, dict(attrs), ""]
                self.found.append(self.current)

        def handle_data(self, data):
            if self.current is not None:
                self.current[2] += data.strip()

    choices = [("", "全部"), ("red", "红 <b>"), (7, "合肥店 服务部")]
    for value in ("red", 7, "", None):
        attrs = {"id": "id_colour", "class": "form-select form-select-sm"}
        ours = PlainSelect(choices=choices).render("colour", value, attrs=attrs)
        django = forms.Select(choices=choices).render("colour", value, attrs=attrs)
        assert Options(ours).found == Options(django).found, (value, ours, django)
    assert 'value="red" selected>红 &lt;b&gt;</option>' in PlainSelect(choices=choices).render("colour", "red")


def test_list_filtered_by_a_department_of_the_users_stores(
    client_for, cr_manager, make_case, service_department, advisor, store_b
):

    dispatched = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    make_case()
    client = client_for(cr_manager)
    page = client.get(reverse("complaints:case_list"), {"department": service_department.pk})
    assert [row.pk for row in page.context["rows"]] == [dispatched.pk]
    assert f'<option value="{service_department.pk}" selected>' in page.text
    other = DepartmentFactory(store=store_b, kind="sales")
    assert f'value="{other.pk}"' not in page.text
    refused = client.get(reverse("complaints:case_list"), {"department": other.pk})
    assert "department" in refused.context["form"].errors


# --- intake of someone who is not a customer yet; what the case page shows (issue 13, items 4, 5) ---


def _reception(store):
    from crm.choices import Role
    from tests.factories import UserFactory

    return UserFactory(username="rita", display_name="前台小周", roles=[Role.RECEPTION], stores=[store])


def test_reception_files_a_complaint_for_someone_not_yet_a_customer(client_for, store_a, store_b):
    from crm.models import Customer

    reception = _reception(store_a)
    client = client_for(reception)
    url = reverse("complaints:case_create")
    form = client.get(url).content.decode()
    assert 'name="name"' in form and 'name="store"' in form and 'name="contact_name"' in form
    assert f'<option value="{store_a.pk}" selected>' in form  # the only store of the desk
    assert f'value="{store_b.pk}"' not in form
    data = {
        "store": store_a.pk,
        "name": "陈潜客",
        "mobile": "13912345678",
        "contact_name": "陈潜客的妻子",
        "contact_phone": "13800001111",
        "channel": Channel.VISIT,
        "category": Category.SALES,
        "content": "试驾时销售顾问态度冷淡",
    }
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302
    customer = Customer.objects.get(name="陈潜客")
    assert (customer.store, customer.mobile, case.customer) == (store_a, "13912345678", customer)
    assert (case.contact_name, case.contact_phone) == ("陈潜客的妻子", "13800001111")
    # The same person again: matched by store + mobile + name, as the import matches — no second file.
    assert client.post(url, {**data, "content": "又一次"}).status_code == 302
    assert Customer.objects.filter(name="陈潜客").count() == 1 and Case.objects.count() == 2
    page = client.get(reverse("complaints:case_detail", args=[case.pk])).content.decode()
    assert "陈潜客的妻子 13800001111" in page


def test_intake_of_a_new_person_needs_a_store_of_the_user_and_a_valid_mobile(client_for, store_a, store_b):
    from crm.models import Customer

    client = client_for(_reception(store_a))
    url = reverse("complaints:case_create")
    data = {"name": "王新", "mobile": "139123", "channel": Channel.PHONE, "category": Category.OTHER, "content": "x"}
    assert "手机号码格式不正确" in client.post(url, {**data, "store": store_a.pk}).content.decode()
    assert client.post(url, {**data, "mobile": "13912345679", "store": store_b.pk}).status_code == 200  # not hers
    assert not Customer.objects.filter(name="王新").exists() and not Case.objects.exists()


def test_a_refused_intake_leaves_no_customer_file(store_a, department_manager):
    from complaints.intake import intake_submit
    from complaints.services import CaseError
    from crm.models import Customer

    data = {"store": store_a, "name": "赵未建", "mobile": "13912340000", "channel": "phone"}
    data |= {"category": "other", "content": "x"}
    with pytest.raises(CaseError):  # a department manager may not receive complaints
        intake_submit(user=department_manager, data=data)
    assert not Customer.objects.filter(name="赵未建").exists()


@time_machine.travel(RECEIVED, tick=False)
def test_case_page_shows_facts_role_labels_local_times_and_current_level(
    client_for, cr_manager, make_case, store_a, department_manager
):
    department = DepartmentFactory(store=store_a, kind="service", manager=department_manager)
    case = make_case(
        fact_when="10月1日上午", fact_where="维修车间", fact_what="保养后发动机异响", fact_how_much="免费检修"
    )
    case = case_dispatch(case=case, user=cr_manager, department=department, handler=department_manager)
    page = client_for(cr_manager).get(reverse("complaints:case_detail", args=[case.pk])).content.decode()
    facts = page[page.index('data-testid="facts"') :]
    assert "何时" in facts and "10月1日上午" in facts and "维修车间" in facts and "免费检修" in facts
    assert "依据" not in facts[: facts.index("</dl>")]  # empty facts are left out
    timeline = page[page.index('data-testid="timeline"') :].split("</ul>")[0]
    assert "处理人角色: — → 部门经理" in timeline and "department_manager" not in timeline
    assert "派发时间: — → 2026-10-08 09:00" in timeline and "+08:00" not in timeline
    level = page[page.index('data-testid="case-level"') :].split("</span>")[0]
    assert "2级 部门经理" in level  # dispatched to the department manager: handled at level 2
