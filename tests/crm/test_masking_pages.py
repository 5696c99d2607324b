"""Every page that shows a customer's phone or id number masks it, through crm.masking, for a
role without `crm.view_full_phone` — the general manager here — and shows it to a role with it."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from callbacks.models import DataFixRecord, HotAlert
from complaints.choices import Category, Channel
from complaints.services import case_receive
from crm.choices import Role
from crm.services import customer_update_section
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import CustomerFactory, DeliveryFactory, UserFactory

pytestmark = pytest.mark.django_db

MOBILE, MOBILE_MASKED = "13812341234", "138****1234"
OLD_MOBILE, OLD_MOBILE_MASKED = "13955556666", "139****6666"
LANDLINE, LANDLINE_MASKED = "0564-3378888", "0564-***8888"
ID_NUMBER, ID_MASKED = "34010419850615001X", "340104********001X"


@pytest.fixture
def customer(store_a):
    return CustomerFactory(store=store_a, mobile=MOBILE, landline=LANDLINE, id_number=ID_NUMBER)


@pytest.fixture
def task(customer):
    return SalesTaskFactory(delivery=DeliveryFactory(store=customer.store, customer=customer))


def _assert_masked(html: str, *pairs: tuple[str, str]) -> None:
    for full, masked in pairs:
        assert full not in html, full
        assert masked in html, masked


def test_call_page_masks_numbers_and_offers_no_dialling_link_to_the_gm(client_for, general_manager, agent, task):
    html = client_for(general_manager).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    _assert_masked(html, (MOBILE, MOBILE_MASKED), (LANDLINE, LANDLINE_MASKED))
    assert "tel:" not in html
    html = client_for(agent).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert f'href="tel:{MOBILE}"' in html and f'href="tel:{LANDLINE}"' in html


def test_customer_page_masks_card_and_change_log_for_the_gm(client_for, general_manager, agent, customer):
    customer_update_section(customer=customer, data={"mobile": OLD_MOBILE})
    customer_update_section(customer=customer, data={"mobile": MOBILE})
    url = reverse("crm:customer_detail", args=[customer.pk])
    html = client_for(general_manager).get(url).content.decode()
    _assert_masked(html, (MOBILE, MOBILE_MASKED), (OLD_MOBILE, OLD_MOBILE_MASKED), (LANDLINE, LANDLINE_MASKED))
    _assert_masked(html, (ID_NUMBER, ID_MASKED))
    html = client_for(agent).get(url).content.decode()
    assert MOBILE in html and OLD_MOBILE in html and ID_NUMBER in html


def test_customer_list_masks_for_the_gm(client_for, general_manager, customer):
    html = client_for(general_manager).get(reverse("crm:customer_list")).content.decode()
    _assert_masked(html, (MOBILE, MOBILE_MASKED))


def test_case_page_and_hot_alert_list_show_no_full_number_to_the_gm(client_for, general_manager, agent, task):
    HotAlert.objects.create(task=task, raised_at=timezone.now())
    case = case_receive(
        user=agent, store=task.store, customer=task.customer, channel=Channel.PHONE,
        category=Category.OTHER, content="保养后发动机异响",
    )  # fmt: skip
    client = client_for(general_manager)
    alerts = client.get(reverse("callbacks:hot_alert_list"))
    assert alerts.status_code == 200 and task.customer.name in alerts.content.decode()
    case_page = client.get(reverse("complaints:case_detail", args=[case.pk]))
    assert case_page.status_code == 200
    for html in (alerts.content.decode(), case_page.content.decode()):
        assert MOBILE not in html and LANDLINE not in html and ID_NUMBER not in html


def test_data_fix_pages_mask_the_wrong_number_without_the_permission(client_for, store_a, agent, task):
    record = DataFixRecord.objects.create(
        task=task, customer=task.customer, reported_at=timezone.now() - dt.timedelta(hours=1), wrong_number=MOBILE
    )
    # A role holding the data-fix pages but not full numbers (no shipped role does: the rule must
    # still hold if one is given them).
    reader = UserFactory(username="fixer", roles=[Role.CONSULTANT], stores=[store_a])
    reader.user_permissions.add(*Permission.objects.filter(codename__in=["view_datafixrecord", "change_datafixrecord"]))
    client = client_for(reader)
    for url in (reverse("callbacks:data_fix_list"), reverse("callbacks:data_fix_edit", args=[record.pk])):
        _assert_masked(client.get(url).content.decode(), (MOBILE, MOBILE_MASKED))
    assert MOBILE in client_for(agent).get(reverse("callbacks:data_fix_list")).content.decode()
