"""An agent finds a customer by plate, opens the card, edits the contact section, sees the audit entry."""

import datetime
import random

import pytest
from django.utils import timezone

from crm.choices import WorkType
from demo.names import TOYOTA_MODELS, make_mobile, make_name, make_plate
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, VehicleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer_with_history(store_a):
    customer = CustomerFactory(
        store=store_a,
        name="张伟",
        mobile="13856781234",
        id_number="34150219850615001X",
        city="六安市",
        district="金安区",
        address="六安市金安区人民路18号",
        occupation="white_collar",
        hobbies="钓鱼、自驾游",
        info_source="friends",
        is_member=True,
        member_level="金卡",
    )
    delivery = DeliveryFactory(
        store=store_a,
        customer=customer,
        delivered_on=timezone.localdate() - datetime.timedelta(days=80),
        vehicle__plate="皖N8K123",
        vehicle__series="RAV4",
        vehicle__model="RAV4荣放 2.0L CVT 两驱风尚版",
        vehicle__exterior_colour="珍珠白",
    )
    RepairOrderFactory(
        store=store_a,
        customer=customer,
        vehicle=delivery.vehicle,
        work_type=WorkType.FIRST_MAINTENANCE,
        mileage_km=4800,
        opened_at=timezone.now() - datetime.timedelta(days=3),
    )
    # A page of other customers, with the demo generator's names, numbers and plates.
    rng = random.Random(7)
    for _ in range(30):
        male = rng.random() < 0.7
        series, variants, _weight = rng.choice(TOYOTA_MODELS)
        VehicleFactory(
            store=store_a,
            plate=make_plate(rng, "皖N"),
            series=series,
            model=rng.choice(variants),
            owner=CustomerFactory(
                store=store_a,
                name=make_name(rng, male),
                gender="M" if male else "F",
                mobile=make_mobile(rng),
                card_type=rng.choice("AC"),
            ),
        )
    return customer


def test_agent_searches_by_plate_opens_and_edits_customer(
    page, live_server, login, agent, customer_with_history, screenshot
):
    login(agent)
    page.goto(f"{live_server.url}/customers/")
    assert page.locator("[data-testid=customer-row]").count() == 25
    screenshot("customer_list")

    # `main`: the navbar's search box is an input named q too.
    page.fill("main input[name=q]", "皖N8K123")
    page.press("main input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=customer-row]")
    assert rows.count() == 1
    assert "138****1234" not in rows.inner_text()  # the agent may see full numbers
    assert "13856781234" in rows.inner_text()
    screenshot("customer_list_search")

    rows.get_by_role("link", name="张伟").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=customer-name]").inner_text() == "张伟"
    assert "RAV4" in page.locator("[data-testid=vehicle]").inner_text()
    assert "首保" in page.locator("[data-testid=timeline]").inner_text()
    screenshot("customer_detail")

    page.click("[data-testid=edit-contact]")
    page.fill("input[name=landline]", "0564-3334567")
    page.fill("input[name=preferred_time]", "工作日下午")
    screenshot("customer_edit_contact")
    page.click("[data-testid=section-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "客户档案已保存" in page.content()
    audit = page.locator("[data-testid=audit-trail]").inner_text()
    assert "王丽" in audit
    assert "固定电话" in audit and "0564-3334567" in audit
    assert "方便联系时段" in audit and "工作日下午" in audit
    screenshot("customer_detail_after_edit")
