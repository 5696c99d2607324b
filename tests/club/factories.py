"""Club test data: a member card on a vehicle that has an RO at the store, points through services."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from club.choices import EntryKind
from club.levels import levels_refresh
from club.services import _book, card_enrol
from tests.factories import RepairOrderFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SH)


def member_card(store, *, points: int = 0, issued_on: dt.date = dt.date(2026, 1, 5), **ro):
    """A card issued on `issued_on` to the owner of a vehicle serviced at `store` (its RO has no
    amount unless given), with `points` booked as an adjustment now — written straight to the ledger,
    so that an expired card can start with points too (points_adjust refuses an expired card)."""
    order = RepairOrderFactory(store=store, opened_at=dt.datetime(2025, 12, 1, 9, tzinfo=SH), **ro)
    card = card_enrol(customer=order.customer, vehicle=order.vehicle, on=issued_on)
    if points:
        with transaction.atomic():
            _book(card=card, kind=EntryKind.ADJUSTMENT, points=points, user=None, reason="开卡赠送")
            levels_refresh(card_ids=[card.pk])
        card.refresh_from_db()
    return card
