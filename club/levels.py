"""Levels (普卡 / 银卡 / 金卡) by the points earned in the last 12 months, thresholds per store.

The level is cached on the card so that the member list filters and counts it in the database;
this one set-based UPDATE recomputes it after a booking and daily (points age out of the window)."""

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, CharField, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from club.choices import DEFAULT_GOLD_FROM, DEFAULT_SILVER_FROM, EARNING_KINDS, LEVEL_WINDOW_DAYS, Level, level_for
from club.models import ClubSettings, MemberCard, PointEntry

# The SQL twin of choices.level_for (tests check both at the threshold edges).
_LEVEL_CASE = (
    f"CASE WHEN x.earned >= x.gold_from THEN '{Level.GOLD.value}' "
    f"WHEN x.earned >= x.silver_from THEN '{Level.SILVER.value}' ELSE '{Level.STANDARD.value}' END"
)


def level_case(earned, *, silver_from, gold_from) -> Case:
    """The ORM twin of choices.level_for over expressions (a report's level at a past month end)."""
    return Case(
        When(GreaterThanOrEqual(earned, gold_from), then=Value(Level.GOLD.value)),
        When(GreaterThanOrEqual(earned, silver_from), then=Value(Level.SILVER.value)),
        default=Value(Level.STANDARD.value),
        output_field=CharField(),
    )


def earned_since(on: dt.date | None = None) -> dt.datetime:
    on = on or timezone.localdate()
    start = on - dt.timedelta(days=LEVEL_WINDOW_DAYS - 1)
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def levels_refresh(
    *, card_ids: Iterable[int] | None = None, store_ids: Iterable[int] | None = None, on: dt.date | None = None
) -> int:
    """Recompute the level of active cards (all, or the ones named); return how many changed.

    Points earned count over every card of the vehicle at the store, so a replaced card's history
    keeps counting for its successor. Idempotent: a second run changes nothing."""
    if connection.vendor != "postgresql":
        return _levels_refresh_portable(card_ids=card_ids, store_ids=store_ids, on=on)
    where, params = ["c.state = 'active'"], []
    if card_ids is not None:
        where.append("c.id = ANY(%s)")
        params.append(list(card_ids))
    if store_ids is not None:
        where.append("c.store_id = ANY(%s)")
        params.append(list(store_ids))
    sql = f"""
        UPDATE club_membercard AS card SET level = {_LEVEL_CASE}
        FROM (
            SELECT c.id,
                   COALESCE(s.silver_from, %s) AS silver_from,
                   COALESCE(s.gold_from, %s) AS gold_from,
                   COALESCE((
                       SELECT SUM(e.points) FROM club_pointentry e
                       JOIN club_membercard c2 ON c2.id = e.card_id
                       WHERE c2.vehicle_id = c.vehicle_id AND c2.store_id = c.store_id
                         AND e.kind = ANY(%s) AND e.created_at >= %s
                   ), 0) AS earned
            FROM club_membercard c
            LEFT JOIN club_clubsettings s ON s.store_id = c.store_id
            WHERE {" AND ".join(where)}
        ) AS x
        WHERE card.id = x.id AND card.level <> {_LEVEL_CASE}
    """
    head = [DEFAULT_SILVER_FROM, DEFAULT_GOLD_FROM, [str(k) for k in EARNING_KINDS], earned_since(on)]
    with connection.cursor() as cursor:
        cursor.execute(sql, head + params)
        return cursor.rowcount


def _levels_refresh_portable(*, card_ids, store_ids, on) -> int:
    """The same rule for make run's SQLite (no UPDATE … FROM with arrays): in Python over the cards,
    with level_for (the rule the SQL above is the twin of). Demo scale only."""
    cards = MemberCard.objects.filter(state="active")
    if card_ids is not None:
        cards = cards.filter(id__in=list(card_ids))
    if store_ids is not None:
        cards = cards.filter(store_id__in=list(store_ids))
    cards = list(cards)
    thresholds = {s.store_id: (s.silver_from, s.gold_from) for s in ClubSettings.objects.all()}
    earned: dict[tuple[int, int], int] = {}
    rows = PointEntry.objects.filter(kind__in=[str(k) for k in EARNING_KINDS], created_at__gte=earned_since(on))
    for vehicle_id, store_id, points in rows.values_list("card__vehicle_id", "card__store_id", "points"):
        earned[(vehicle_id, store_id)] = earned.get((vehicle_id, store_id), 0) + points
    changed = 0
    for card in cards:
        silver, gold = thresholds.get(card.store_id, (DEFAULT_SILVER_FROM, DEFAULT_GOLD_FROM))
        level = level_for(earned.get((card.vehicle_id, card.store_id), 0), silver_from=silver, gold_from=gold)
        if card.level != level:
            MemberCard.objects.filter(pk=card.pk).update(level=level)
            changed += 1
    return changed
