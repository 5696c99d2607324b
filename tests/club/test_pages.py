"""Club pages: the member list (filters, query count constant in rows, scoping), the card page and
its actions, enrolment from the customer page, activities with their participants."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from club.choices import CardState, EntryKind, Level
from club.models import ClubSettings, MemberCard
from club.ro_points import ro_points_book
from club.services import ClubError, activity_create, activity_participant_add, card_renew, points_adjust
from tests.club.factories import NOW, member_card
from tests.factories import RepairOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_member_list_filters_and_its_query_count_does_not_grow_with_rows(client_for, cr_manager, store_a):
    client = client_for(cr_manager)
    url = reverse("club:card_list")
    member_card(store_a, points=50)
    few, _ = _queries(client, url)
    for points in (100, 3500, 12000, 20):
        member_card(store_a, points=points)
    many, response = _queries(client, url)
    assert many == few
    assert len(response.context["page_obj"].object_list) == 5
    response = client.get(url, {"level": Level.GOLD})
    assert [c.balance for c in response.context["page_obj"]] == [12000]
    gold = response.context["page_obj"][0]
    assert client.get(url, {"q": gold.number}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"q": gold.vehicle.plate}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"status": "expired"}).context["page_obj"].paginator.count == 0


def test_member_list_and_card_pages_are_scoped_to_the_users_stores(client_for, agent_b, store_a):
    card = member_card(store_a, points=100)
    activity = activity_create(store=store_a, name="爱车养护课堂", held_on=dt.date(2026, 11, 1), points=200)
    client = client_for(agent_b)
    assert client.get(reverse("club:card_list")).context["page_obj"].paginator.count == 0
    assert client.get(reverse("club:card_detail", args=[card.pk])).status_code == 404
    assert client.get(reverse("club:enrol", args=[card.customer_id])).status_code == 404
    assert client.get(reverse("club:activity_detail", args=[activity.pk])).status_code == 404
    assert client.get(reverse("club:activity_list")).context["page_obj"].paginator.count == 0


def test_another_stores_card_cannot_be_redeemed_from(client_for, store_b, cr_manager):
    card = member_card(store_b, points=500)
    response = client_for(cr_manager).post(
        reverse("club:card_action", args=[card.pk, "redeem"]), {"points": 100, "note": "饮品"}
    )
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.balance == 500


def test_the_card_page_shows_the_ledger_with_constant_queries_and_redeems(client_for, cr_manager, store_a):
    card = member_card(store_a, points=1000)
    client = client_for(cr_manager)
    url = reverse("club:card_detail", args=[card.pk])
    few, _ = _queries(client, url)
    for amount in (100, 200, 300):
        order = RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, amount=amount)
        ro_points_book(ro_ids=[order.pk])
    many, response = _queries(client, url)
    assert many == few
    assert len(response.context["ledger"]) == 4

    response = client.post(reverse("club:card_action", args=[card.pk, "redeem"]), {"points": 600, "note": "自驾游"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.balance == 1000
    response = client.post(reverse("club:card_action", args=[card.pk, "redeem"]), {"points": 5000, "note": "自驾游"})
    card.refresh_from_db()
    assert card.balance == 1000  # refused, with a message
    bad = client.post(reverse("club:card_action", args=[card.pk, "redeem"]), {"points": "", "note": ""})
    assert bad.status_code == 400


def test_an_agent_sees_cards_but_may_not_redeem_or_replace(client_for, agent, store_a):
    card = member_card(store_a, points=1000)
    client = client_for(agent)
    assert client.get(reverse("club:card_detail", args=[card.pk])).status_code == 200
    for action, data in (("redeem", {"points": 1, "note": "x"}), ("replace", {})):
        assert client.post(reverse("club:card_action", args=[card.pk, action]), data).status_code == 403
    card.refresh_from_db()
    assert (card.balance, card.state) == (1000, CardState.ACTIVE)


def test_replacement_from_the_card_page_opens_the_new_card_with_the_balance(client_for, cr_manager, store_a):
    card = member_card(store_a, points=800)
    response = client_for(cr_manager).post(reverse("club:card_action", args=[card.pk, "replace"]), {"reason": "丢失"})
    new = MemberCard.objects.get(state=CardState.ACTIVE)
    assert response["Location"] == reverse("club:card_detail", args=[new.pk])
    assert new.balance == 800 and new.entries.get().kind == EntryKind.TRANSFER_IN


def test_enrolment_from_the_customer_page(client_for, cr_manager, store_a):
    order = RepairOrderFactory(store=store_a)
    client = client_for(cr_manager)
    page = client.get(reverse("crm:customer_detail", args=[order.customer_id]))
    enrol_url = reverse("club:enrol", args=[order.customer_id])
    assert enrol_url in page.content.decode()
    response = client.post(enrol_url, {"vehicle": order.vehicle_id})
    card = MemberCard.objects.get(vehicle=order.vehicle)
    assert response["Location"] == reverse("club:card_detail", args=[card.pk])
    assert (card.customer, card.store, card.expires_on) == (order.customer, store_a, dt.date(2029, 12, 6))
    page = client.get(reverse("crm:customer_detail", args=[order.customer_id]))
    assert reverse("club:card_detail", args=[card.pk]) in page.content.decode()


def test_activities_register_participants_once_with_their_points(client_for, cr_manager, store_a, store_b):
    client = client_for(cr_manager)
    response = client.post(
        reverse("club:activity_list"),
        {"store": store_a.pk, "name": "巢湖自驾游", "held_on": "2026-11-20", "points": 400, "note": ""},
    )
    activity = store_a.club_activities.get()
    assert response["Location"] == reverse("club:activity_detail", args=[activity.pk])
    too_many = client.post(
        reverse("club:activity_list"), {"store": store_a.pk, "name": "x", "held_on": "2026-11-20", "points": 900}
    )
    assert too_many.status_code == 400
    card, other = member_card(store_a), member_card(store_b)
    url = reverse("club:activity_detail", args=[activity.pk])
    client.post(url, {"number": card.number.lower()})
    client.post(url, {"number": card.number})  # twice: booked once
    client.post(url, {"number": other.number})  # another store's card: not found
    card.refresh_from_db()
    assert card.balance == 400
    assert activity.participations.count() == 1
    few, _ = _queries(client, url)
    for _i in range(3):
        activity_participant_add(activity=activity, card=member_card(store_a), user=None)
    many, response = _queries(client, url)
    assert many == few and len(response.context["participants"]) == 4
    listing, _ = _queries(client, reverse("club:activity_list"))
    activity_create(store=store_a, name="课堂", held_on=dt.date(2026, 12, 1), points=200)
    assert _queries(client, reverse("club:activity_list"))[0] == listing


def test_the_cr_manager_sets_the_thresholds_and_the_stores_cards_are_relevelled(client_for, cr_manager, store_a):
    card = member_card(store_a, points=800)
    client = client_for(cr_manager)
    url = reverse("club:settings")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["store"] == store_a
    assert page.context["form"]["silver_from"].value() == 3000  # the defaults until the store saves its own
    response = client.post(f"{url}?store={store_a.pk}", {"silver_from": 500, "gold_from": 800})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.level == Level.GOLD
    expired = member_card(store_a, points=900, issued_on=dt.date(2023, 1, 2))  # valid until 2026-01-01
    assert expired.level == Level.GOLD
    page = client.get(url)
    assert dict(page.context["levels"])["金卡"] == 1  # valid cards only, as the members report counts them
    assert "1 张会员卡等级已变更" in page.content.decode()


def test_club_thresholds_refuse_gold_at_or_below_silver_and_other_stores_and_agents(
    client_for, cr_manager, agent, store_a, store_b
):
    client = client_for(cr_manager)
    url = reverse("club:settings")
    response = client.post(f"{url}?store={store_a.pk}", {"silver_from": 800, "gold_from": 800})
    assert response.status_code == 400
    assert "金卡积分起点须高于银卡" in response.content.decode()
    assert not ClubSettings.objects.filter(store=store_a).exists()
    assert client.get(f"{url}?store={store_b.pk}").status_code == 404
    assert client.post(f"{url}?store={store_b.pk}", {"silver_from": 1, "gold_from": 2}).status_code == 404
    assert client_for(agent).get(url).status_code == 403


def test_an_expired_card_earns_no_activity_points_and_takes_no_adjustment(client_for, cr_manager, store_a):
    """One rule (club.validity) for every way points move: an expired card is refused with the
    reason, as redemption and RO points already were; renewed, it earns again."""
    expired = member_card(store_a, points=300, issued_on=dt.date(2023, 12, 1))  # expired 2026-11-30
    activity = activity_create(store=store_a, name="巢湖自驾游", held_on=dt.date(2026, 12, 6), points=400)
    client = client_for(cr_manager)
    response = client.post(reverse("club:activity_detail", args=[activity.pk]), {"number": expired.number}, follow=True)
    assert "会员卡已过期，请先续期。" in response.content.decode()
    adjusted = client.post(
        reverse("club:card_action", args=[expired.pk, "adjust"]), {"points": 50, "reason": "补录"}, follow=True
    )
    assert "会员卡已过期，请先续期。" in adjusted.content.decode()
    expired.refresh_from_db()
    assert expired.balance == 300 and expired.entries.count() == 1
    assert not activity.participations.exists()
    with pytest.raises(ClubError):
        points_adjust(card=expired, points=-10, reason="更正", user=None)
    card_renew(card=expired)
    activity_participant_add(activity=activity, card=expired, user=None)
    expired.refresh_from_db()
    assert expired.balance == 700
