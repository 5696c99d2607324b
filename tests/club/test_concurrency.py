"""Two users redeem from the same card at once (real threads, each on its own connection): the
card's row lock makes the second see the first's deduction, so the balance never goes below zero."""

import pytest
from django.db import transaction

from club.models import MemberCard
from club.ro_points import ro_points_book
from club.services import ClubError, points_redeem
from tests.club.factories import member_card
from tests.concurrency import run_at_once
from tests.factories import RepairOrderFactory


def _redeem(card_pk: int, points: int) -> str:
    card = MemberCard.objects.get(pk=card_pk)
    try:
        points_redeem(card=card, points=points, note="并发兑换", user=None)
    except ClubError:
        return "refused"
    return "redeemed"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_never_overdraw(store_a):
    card = member_card(store_a, points=1000)
    results = run_at_once(_redeem, args=[(card.pk, 700), (card.pk, 700)])
    assert sorted(results) == ["redeemed", "refused"]
    card.refresh_from_db()
    assert card.balance == 300 == sum(card.entries.values_list("points", flat=True))


@pytest.mark.django_db(transaction=True)
def test_an_import_and_a_redemption_at_once_keep_the_balance_equal_to_the_ledger(store_a):
    card = member_card(store_a, points=500)
    order = RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, amount=300)

    def book():
        with transaction.atomic():
            return ro_points_book(ro_ids=[order.pk])

    run_at_once(lambda i: book() if i == 0 else _redeem(card.pk, 400), args=[(0,), (1,)])
    card.refresh_from_db()
    assert card.balance == sum(card.entries.values_list("points", flat=True))
    assert card.balance == 400  # 500 + 300 - 400, whichever came first
