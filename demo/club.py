"""seed_demo step: a year of the club at each demo store — members enrolled over the last year
(vehicles with an RO at the store), the points of their ROs booked as the import would have, three
activities with participants, redemptions, one lost card replaced.

Idempotent: a store that has member cards already is left alone. Everything goes through the
services under `demo_clock`, so the ledger rows carry the day they would have been written."""

import datetime as dt
import random

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from club.levels import levels_refresh
from club.models import MemberCard
from club.ro_points import ro_points_book
from club.services import (
    ClubError,
    activity_create,
    activity_participant_add,
    card_enrol,
    card_replace,
    points_redeem,
)
from crm.models import RepairOrder, Store
from demo.context import DemoContext, demo_clock

MEMBERS_PER_STORE = 60
ACTIVITIES = [
    ("爱车养护课堂", 200, "讲解日常检查、轮胎与机油，现场免费检测。"),
    ("巢湖环湖自驾游", 500, "会员自驾，沿途补给与摄影，午餐由俱乐部安排。"),
    ("亲子洗车日", 300, "会员带孩子参与，赠送休息区饮品。"),
]
REDEEM_FOR = ["休息区饮品", "精品脚垫", "自驾游团费抵扣", "免费洗车一次", "机油滤清器"]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_club_demo(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for store in ctx.data.get("stores") or Store.objects.order_by("code"):
        if MemberCard.objects.filter(store=store).exists():
            continue
        with transaction.atomic():
            cards = _store_demo(store, random.Random(f"club:{store.code}"), today)
        ctx.stdout.write(f"club: {len(cards)} members at {store.code}")
    levels_refresh()


def _store_demo(store: Store, rng: random.Random, today: dt.date) -> list[MemberCard]:
    # Each vehicle's first RO at the store (NOT EXISTS an earlier one, not DISTINCT ON: make run's
    # SQLite has no DISTINCT ON; a second card for a vehicle with two first ROs is refused below).
    earlier = RepairOrder.objects.filter(
        store=store, vehicle_id=OuterRef("vehicle_id"), opened_at__lt=OuterRef("opened_at")
    )
    first_ros = (
        RepairOrder.objects.filter(store=store, vehicle__owner__isnull=False)
        .filter(~Exists(earlier))
        .order_by("vehicle_id", "opened_at")
        .select_related("vehicle", "vehicle__owner")
    )
    candidates = list(first_ros[: MEMBERS_PER_STORE * 2])
    rng.shuffle(candidates)
    cards = []
    for order in candidates[:MEMBERS_PER_STORE]:
        day = max(timezone.localtime(order.opened_at).date(), today - dt.timedelta(days=rng.randint(20, 360)))
        if day > today:
            continue
        with demo_clock(_at(day, 9)):
            try:
                cards.append(card_enrol(customer=order.vehicle.owner, vehicle=order.vehicle, on=day))
            except ClubError:
                continue
    # The ROs of the members, booked on their delivery day as the nightly import would have.
    orders = RepairOrder.objects.filter(store=store, vehicle__member_cards__in=cards).order_by("opened_at")
    for order in orders:
        moment = order.delivered_at or order.opened_at
        if timezone.localtime(moment).date() <= today:
            with demo_clock(moment + dt.timedelta(hours=12)):
                ro_points_book(ro_ids=[order.pk])
    for back, (name, points, note) in zip((150, 80, 25), ACTIVITIES, strict=True):
        held_on = today - dt.timedelta(days=back)
        with demo_clock(_at(held_on, 15)):
            activity = activity_create(store=store, name=name, held_on=held_on, points=points, note=note)
            for card in rng.sample(cards, min(len(cards), rng.randint(8, 15))):
                if card.issued_on <= held_on:
                    activity_participant_add(activity=activity, card=card, user=None)
    for card in rng.sample(cards, min(len(cards), 12)):
        card.refresh_from_db()
        if card.balance >= 200:
            with demo_clock(_at(today - dt.timedelta(days=rng.randint(1, 15)), 16)):
                points_redeem(
                    card=card,
                    points=rng.randrange(100, card.balance, 50) if card.balance > 150 else 100,
                    note=rng.choice(REDEEM_FOR),
                    user=None,
                )
    if cards:
        with demo_clock(_at(today - dt.timedelta(days=3), 11)):
            card_replace(card=cards[0], user=None, reason="会员卡丢失")
    return cards
