"""Browser flow (SPEC §10.6): the CR manager enrols a customer's car from the customer page, the
import's points show on the card, a redemption is made from the card page, the member list finds
the card. Screenshots at 1400 px and 390 px."""

import pytest
import time_machine

from club.models import MemberCard
from club.ro_points import ro_points_book
from club.services import activity_create, activity_participant_add
from tests.club.factories import NOW
from tests.factories import RepairOrderFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _both_widths(page, screenshot, name: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(f"{name}_1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(f"{name}_390")
    page.set_viewport_size({"width": 1400, "height": 900})


def test_enrol_earn_redeem_and_find_the_member(page, live_server, login, store_a, cr_manager, screenshot):
    with time_machine.travel(NOW, tick=True):
        order = RepairOrderFactory(store=store_a, opened_at=NOW.replace(day=2), amount=1860)
        login(cr_manager)
        page.goto(f"{live_server.url}/customers/{order.customer_id}/")
        page.click("[data-testid=card-flag]:has-text('入会')")
        page.wait_for_load_state("networkidle")
        page.click("[data-testid=enrol-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
        card = MemberCard.objects.get(vehicle=order.vehicle)
        assert page.locator("[data-testid=card-number]").inner_text() == card.number

        # Enrolled at the start of the month: the RO earns.
        card.issued_on = card.points_from = NOW.date().replace(day=1)
        card.save(update_fields=["issued_on", "points_from"])
        ro_points_book(ro_ids=[order.pk])
        activity = activity_create(store=store_a, name="爱车养护课堂", held_on=NOW.date(), points=300)
        activity_participant_add(activity=activity, card=card, user=cr_manager)
        page.reload()
        assert page.locator("[data-testid=card-balance]").inner_text().startswith("2160")
        page.fill("[data-testid=redeem-form] input[name=points]", "500")
        page.fill("[data-testid=redeem-form] input[name=note]", "自驾游团费抵扣")
        page.click("[data-testid=redeem-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=card-balance]").inner_text().startswith("1660")
        assert page.locator("[data-testid=ledger-row]").count() == 3
        _both_widths(page, screenshot, "club_card")

        page.goto(f"{live_server.url}/club/?q={card.number}")
        assert page.locator("[data-testid=card-row]").count() == 1
        _both_widths(page, screenshot, "club_member_list")
        page.goto(f"{live_server.url}/club/activities/{activity.pk}/")
        assert page.locator("[data-testid=participant-row]").count() == 1
        _both_widths(page, screenshot, "club_activity")
