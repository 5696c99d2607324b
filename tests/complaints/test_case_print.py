"""The printed complaint form, table 6 of seed 001 (issue 14 item 7): renders the case on the
paper form's cells without the menu, masks the phone for roles without full numbers, and is
scoped like the case page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from complaints.choices import Channel
from complaints.services import case_dispatch
from tests.factories import DeliveryFactory, RepairOrderFactory, StaffFactory, VehicleFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def printed_case(make_case, customer_a, store_a, cr_manager, service_department, advisor):
    vehicle = VehicleFactory(store=store_a, owner=customer_a, plate="皖N12345", model="卡罗拉 1.8L")
    DeliveryFactory(
        store=store_a,
        customer=customer_a,
        vehicle=vehicle,
        delivered_on=dt.date(2025, 5, 20),
        sales_consultant=StaffFactory(store=store_a, name="王销售"),
    )
    RepairOrderFactory(
        store=store_a,
        customer=customer_a,
        vehicle=vehicle,
        opened_at=AT - dt.timedelta(days=3),
        delivered_at=AT - dt.timedelta(days=2),
        mileage_km=23456,
    )
    with time_machine.travel(AT, tick=False):
        case = make_case(vehicle=vehicle, channel=Channel.VISIT, fact_when="10月5日上午")
    with time_machine.travel(AT + dt.timedelta(minutes=10), tick=False):
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
    case.complained_staff = StaffFactory(store=case.store, name="吴技师")
    case.save(update_fields=["complained_staff"])
    return case


def test_form_six_shows_the_case_on_the_paper_forms_cells_without_the_menu(printed_case, client_for, cr_manager):
    with time_machine.travel(AT + dt.timedelta(hours=1), tick=False):
        response = client_for(cr_manager).get(reverse("complaints:case_print", args=[printed_case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "app-navbar" not in body and 'data-testid="main-menu"' not in body
    assert "紧急投诉应对联络表" in body and "六安鑫宝丰田" in body
    for text in (
        printed_case.case_no,
        "保养后发动机异响",
        "免费检修",
        "皖N12345",
        "卡罗拉 1.8L",
        "23456 km",
        "10月5日上午",
    ):
        assert text in body, text
    assert "2025-05-20 · 王销售" in body  # 销售情况
    assert "☑ 来人" in body and "☐ 来电" in body and "☑ 首次" in body
    assert "周顾问" in body  # 经办人: the handler
    responsible = body[body.index('data-testid="form-responsible"') :].split("</td>")[0]
    assert "吴技师" in responsible  # 相关责任人: the staff member complained about, not the handler
    assert "13955501234" in body  # the CR manager sees full numbers
    assert 'data-testid="print-button"' in body


def test_form_six_masks_the_phone_for_the_general_manager(printed_case, client_for, general_manager):
    response = client_for(general_manager).get(reverse("complaints:case_print", args=[printed_case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "139****1234" in body and "13955501234" not in body


def test_form_six_of_another_store_is_a_404(printed_case, client_for, agent_b):
    assert client_for(agent_b).get(reverse("complaints:case_print", args=[printed_case.pk])).status_code == 404


def test_case_page_links_to_its_form(printed_case, client_for, cr_manager):
    body = client_for(cr_manager).get(reverse("complaints:case_detail", args=[printed_case.pk])).content.decode()
    assert reverse("complaints:case_print", args=[printed_case.pk]) in body


def test_form_six_query_count(printed_case, client_for, cr_manager, django_assert_max_num_queries):
    client = client_for(cr_manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("complaints:case_print", args=[printed_case.pk])).status_code == 200


def test_form_six_of_a_case_without_vehicle_or_department(make_case, client_for, cr_manager):
    case = make_case(content="电话里抱怨等待太久")
    response = client_for(cr_manager).get(reverse("complaints:case_print", args=[case.pk]))
    assert response.status_code == 200
    assert "电话里抱怨等待太久" in response.content.decode()


@pytest.mark.parametrize("page", ["complaints:case_print", "complaints:case_detail"])
def test_the_customers_words_show_numbers_masked_to_the_gm_and_whole_to_the_cr_manager(
    printed_case, client_for, general_manager, cr_manager, page
):
    """Table 6 and the case page: the content and the demand are what the customer said, and the
    numbers in them (phone, id card) are masked for roles without full numbers, as on every page."""
    printed_case.content = "客户来电13812345678称保养后发动机异响"
    printed_case.demand = "请回电13987654321，身份证340101199001011234"
    printed_case.contact_phone = "13700001111"
    printed_case.save(update_fields=["content", "demand", "contact_phone"])
    url = reverse(page, args=[printed_case.pk])
    gm = client_for(general_manager).get(url).content.decode()
    for whole in ("13812345678", "13987654321", "340101199001011234", "13700001111"):
        assert whole not in gm, whole
    assert "138****5678" in gm and "139****4321" in gm and "发动机异响" in gm
    cr = client_for(cr_manager).get(url).content.decode()
    for whole in ("13812345678", "13987654321", "340101199001011234"):
        assert whole in cr, whole
