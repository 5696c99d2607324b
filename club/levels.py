"""Levels (普卡 / 银卡 / 金卡) by the points earned in the last 12 months, thresholds per store.

The level is cached on the card so that the member list filters and counts it in the database;
this one set-based UPDATE recomputes it after a booking and daily (points age out of the window)."""

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from club.choices import DEFAULT_GOLD_FROM, DEFAULT_SILVER_FROM, EARNING_KINDS, LEVEL_WINDOW_DAYS, Level

# The SQL twin of choices.level_for (tests check both at the threshold edges).
_LEVEL_CASE = (
    f"CASE WHEN x.earned >= x.gold_from THEN '{Level.GOLD.value}' "
    f"WHEN x.earned >= x.silver_from THEN '{Level.SILVER.value}' ELSE '{Level.STANDARD.value}' END"
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
