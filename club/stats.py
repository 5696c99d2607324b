"""Aggregates of the club for the reports (SPEC §10.6): members by level, points earned and redeemed
per month, the share of service revenue from members. Each one query, grouped in the database."""

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from club.choices import CardState, EntryKind, Level
from club.models import MemberCard, PointEntry
from crm.choices import WorkType
from crm.models import RepairOrder, Store
from crm.periods import month_bounds, next_month


def _stores(store_ids: list[int] | None):
    stores = Store.objects.filter(is_active=True).order_by("code")
    return stores if store_ids is None else stores.filter(id__in=store_ids)


def members_by_level(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """Per store: cards issued in the month, valid members at the month's end by (current) level."""
    last_day = next_month(month) - dt.timedelta(days=1)
    valid = Q(member_cards__state=CardState.ACTIVE, member_cards__expires_on__gte=last_day)
    valid &= Q(member_cards__issued_on__lte=last_day)
    counts = {level: Count("member_cards", filter=valid & Q(member_cards__level=level)) for level in Level.values}
    rows = _stores(store_ids).annotate(
        issued=Count(
            "member_cards",
            filter=Q(member_cards__issued_on__gte=month, member_cards__issued_on__lte=last_day),
        ),
        members=Count("member_cards", filter=valid),
        **counts,
    )
    return [
        {"store": s.name, "issued": s.issued, "members": s.members, **{lv: getattr(s, lv) for lv in Level.values}}
        for s in rows
    ]


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
    member = MemberCard.objects.filter(
        vehicle_id=OuterRef("vehicle_id"),
        store_id=OuterRef("store_id"),
        issued_on__lte=OuterRef("opened_at__date"),
        expires_on__gte=OuterRef("opened_at__date"),
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
