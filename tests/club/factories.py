"""Club test data: a member card on a vehicle that has an RO at the store, points through services."""

import datetime as dt
from zoneinfo import ZoneInfo

from club.services import card_enrol, points_adjust
from tests.factories import RepairOrderFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SH)


def member_card(store, *, points: int = 0, issued_on: dt.date = dt.date(2026, 1, 5), **ro):
    """A card issued on `issued_on` to the owner of a vehicle serviced at `store` (its RO has no
    amount unless given), with `points` booked as an adjustment."""
    order = RepairOrderFactory(store=store, opened_at=dt.datetime(2025, 12, 1, 9, tzinfo=SH), **ro)
    card = card_enrol(customer=order.customer, vehicle=order.vehicle, on=issued_on)
    if points:
        points_adjust(card=card, points=points, reason="开卡赠送", user=None)
        card.refresh_from_db()
    return card
