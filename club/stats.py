"""Aggregates of the club for the reports (SPEC §10.6): members by level, points earned and redeemed
per month, the share of service revenue from members. Each one query, grouped in the database."""

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from club.choices import DEFAULT_GOLD_FROM, DEFAULT_SILVER_FROM, EARNING_KINDS, CardState, EntryKind, Level
from club.levels import earned_since, level_case
from club.models import ClubSettings, MemberCard, PointEntry
from club.validity import valid_on
from crm.choices import WorkType
from crm.models import RepairOrder, Store
from crm.periods import month_bounds, next_month


def _stores(store_ids: list[int] | None):
    stores = Store.objects.filter(is_active=True).order_by("code")
    return stores if store_ids is None else stores.filter(id__in=store_ids)


def members_by_level(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """Per store: new members of the month and valid members at the month's end by their level then.

    A card chain (a card and its replacements: one vehicle at one store) counts once, through its
    current card, which carries the chain's start (`points_from`), its latest expiry and its lapses:
    it is a member at the month's end when that card is valid on that day (club.validity), and new
    in the month when the chain started in it (a replacement is not a new member). The level is the
    one the chain's points earned in the 12 months to the month's end give under the store's current
    thresholds (the ledger keeps the points, not past thresholds)."""
    last_day = next_month(month) - dt.timedelta(days=1)
    _start, end = month_bounds(month)
    earned = (
        PointEntry.objects.filter(
            card__vehicle_id=OuterRef("vehicle_id"),
            card__store_id=OuterRef("store_id"),
            kind__in=[str(k) for k in EARNING_KINDS],
            created_at__gte=earned_since(last_day),
            created_at__lt=end,
        )
        .order_by()
        .values("card__vehicle_id")
        .annotate(total=Sum("points"))
        .values("total")
    )
    settings = ClubSettings.objects.filter(store_id=OuterRef("store_id"))
    cards = MemberCard.objects.filter(valid_on(last_day))
    chains = MemberCard.objects.filter(state=CardState.ACTIVE, points_from__gte=month, points_from__lte=last_day)
    if store_ids is not None:
        cards, chains = cards.filter(store_id__in=store_ids), chains.filter(store_id__in=store_ids)
    by_level = (
        cards.annotate(
            earned=Coalesce(Subquery(earned), 0),
            silver=Coalesce(Subquery(settings.values("silver_from")[:1]), DEFAULT_SILVER_FROM),
            gold=Coalesce(Subquery(settings.values("gold_from")[:1]), DEFAULT_GOLD_FROM),
        )
        .annotate(then=level_case(F("earned"), silver_from=F("silver"), gold_from=F("gold")))
        .order_by()
        .values_list("store_id", "then")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for store_id, level, n in by_level:
        counts.setdefault(store_id, {})[level] = n
    issued = dict(chains.order_by().values_list("store_id").annotate(n=Count("id")).values_list("store_id", "n"))
    rows = []
    for store in _stores(store_ids):
        levels = {lv: counts.get(store.pk, {}).get(lv, 0) for lv in Level.values}
        rows.append({"store": store.name, "issued": issued.get(store.pk, 0), "members": sum(levels.values()), **levels})
    return rows


def points_by_month(*, store_ids: list[int] | None, month: dt.date, months: int = 12) -> list[dict]:
    """The 12 months ending with `month`: points earned (RO spend, activities, adopted suggestions, adjustments) and
    redeemed. Transfers between a lost card and its successor are neither."""
    first = month
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    start, end = month_bounds(first, month)
    entries = PointEntry.objects.filter(created_at__gte=start, created_at__lt=end)
    if store_ids is not None:
        entries = entries.filter(card__store_id__in=store_ids)
    grouped = {
        row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]: row
        for row in entries.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            ro=Sum("points", filter=Q(kind=EntryKind.REPAIR_ORDER), default=0),
            activity=Sum("points", filter=Q(kind=EntryKind.ACTIVITY), default=0),
            adjustment=Sum("points", filter=Q(kind=EntryKind.ADJUSTMENT), default=0),
            suggestion=Sum("points", filter=Q(kind=EntryKind.SUGGESTION), default=0),
            redeemed=Sum(-F("points"), filter=Q(kind=EntryKind.REDEMPTION), default=0),
        )
    }
    rows, current = [], first
    while current <= month:
        row = grouped.get(current, {})
        earned = sum(row.get(key, 0) for key in ("ro", "activity", "suggestion", "adjustment"))
        rows.append(
            {
                "month": current.strftime("%Y-%m"),
                "ro": row.get("ro", 0),
                "activity": row.get("activity", 0),
                "suggestion": row.get("suggestion", 0),
                "adjustment": row.get("adjustment", 0),
                "earned": earned,
                "redeemed": row.get("redeemed", 0),
            }
        )
        current = next_month(current)
    return rows


def member_revenue_share(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """Per store: the paid service revenue of the ROs opened in the month (warranty ROs aside, as for
    points) and the part of it from vehicles that held a valid card on the RO's day."""
    start, end = month_bounds(month)
    # A card of the vehicle's chain valid on the RO's day (club.validity's rule), replaced ones too:
    # a card replaced since was the chain's card then.
    member = MemberCard.objects.filter(
        valid_on(OuterRef("opened_at__date"), any_state=True),
        vehicle_id=OuterRef("vehicle_id"),
        store_id=OuterRef("store_id"),
    )
    orders = RepairOrder.objects.filter(opened_at__gte=start, opened_at__lt=end).exclude(work_type=WorkType.WARRANTY)
    if store_ids is not None:
        orders = orders.filter(store_id__in=store_ids)
    sums = {
        row["store_id"]: row
        for row in orders.annotate(is_member=Exists(member))
        .values("store_id")
        .annotate(
            orders=Count("id"),
            revenue=Sum("amount", default=0),
            member_orders=Count("id", filter=Q(is_member=True)),
            member_revenue=Sum("amount", filter=Q(is_member=True), default=0),
        )
    }
    rows = []
    for store in _stores(store_ids):
        row = sums.get(store.pk, {})
        rows.append(
            {
                "store": store.name,
                "orders": row.get("orders", 0),
                "revenue": row.get("revenue", 0),
                "member_orders": row.get("member_orders", 0),
                "member_revenue": row.get("member_revenue", 0),
            }
        )
    return rows
