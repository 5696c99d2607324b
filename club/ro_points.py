"""Points from repair orders (1 point per yuan of 结算金额; warranty 索赔 ROs earn none), booked by
a DMS-import post-step (SPEC §10.6).

Set-based: per chunk of the import's ROs, one statement books for every RO the difference between
the points it is due and the points already booked for it (on any card of the vehicle), so an RO
earns once, a re-imported amount books the difference, and a rerun books nothing. The RO books on the
vehicle's card valid on its opening day (club.validity): a replacement card carries its chain's start,
so an RO opened before the replacement and imported (or raised) after it books, or is corrected, on
the new card, against what the whole chain already holds for it. A negative
correction never takes a balance below zero: it is cut at what the card still holds."""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from club.choices import EntryKind
from club.levels import levels_refresh
from club.models import MemberCard, PointEntry
from club.validity import valid_on, valid_on_sql
from crm.choices import WorkType
from crm.models import RepairOrder

# After the sheets and their callbacks; the order among post-steps does not matter to the club.
RO_POINTS_ORDER = 900
CHUNK = 20_000

_LOCK_SQL = """
    SELECT c.id FROM club_membercard c
    WHERE c.state = 'active' AND (c.vehicle_id, c.store_id) IN (
        SELECT ro.vehicle_id, ro.store_id FROM crm_repairorder ro WHERE ro.id = ANY(%(ids)s))
    ORDER BY c.id FOR UPDATE
"""

_BOOK_SQL = f"""
WITH due AS (
    SELECT ro.id AS ro_id, c.id AS card_id, c.balance,
           (CASE WHEN ro.work_type = %(warranty)s OR ro.amount IS NULL OR ro.amount < 0 THEN 0
                 ELSE FLOOR(ro.amount)::int END)
           - COALESCE((SELECT SUM(e.points) FROM club_pointentry e WHERE e.repair_order_id = ro.id), 0) AS diff
    FROM crm_repairorder ro
    JOIN club_membercard c ON c.vehicle_id = ro.vehicle_id AND c.store_id = ro.store_id
    WHERE ro.id = ANY(%(ids)s)
      AND {valid_on_sql("c", "(ro.opened_at AT TIME ZONE %(tz)s)::date")}
),
room AS (
    -- what the card can give up: its balance plus this chunk's gains; negative corrections take
    -- from it in RO order, each cut at what is left
    SELECT d.*,
           d.balance + SUM(GREATEST(d.diff, 0)) OVER (PARTITION BY d.card_id) AS avail,
           COALESCE(SUM(LEAST(d.diff, 0)) OVER (
               PARTITION BY d.card_id ORDER BY d.ro_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS taken
    FROM due d WHERE d.diff <> 0
),
booked AS (
    INSERT INTO club_pointentry (card_id, kind, points, repair_order_id, reason, created_at)
    SELECT card_id, %(kind)s, pts, ro_id, '', %(now)s
    FROM (SELECT r.*, CASE WHEN r.diff > 0 THEN r.diff
                           ELSE GREATEST(r.diff, -GREATEST(r.avail + r.taken, 0)) END AS pts FROM room r) AS p
    WHERE pts <> 0
    RETURNING card_id, points
)
UPDATE club_membercard c SET balance = c.balance + s.total
FROM (SELECT card_id, SUM(points) AS total FROM booked GROUP BY card_id) s
WHERE c.id = s.card_id
RETURNING c.id
"""


def ro_points_book(*, ro_ids: Iterable[int]) -> int:
    """Book the points of these ROs; return how many cards moved. Safe to run again."""
    ids = sorted(set(ro_ids))
    if connection.vendor != "postgresql":
        return _book_portable(ids)
    moved = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic(), connection.cursor() as cursor:
            params = {
                "ids": chunk,
                "warranty": WorkType.WARRANTY.value,
                "kind": EntryKind.REPAIR_ORDER.value,
                "tz": settings.TIME_ZONE,
                "now": timezone.now(),
            }
            # The cards' locks first, in id order: a redemption at the same moment waits or is waited for.
            cursor.execute(_LOCK_SQL, params)
            cursor.execute(_BOOK_SQL, params)
            card_ids = [row[0] for row in cursor.fetchall()]
            if card_ids:
                levels_refresh(card_ids=card_ids)
            moved += len(card_ids)
    return moved


def _book_portable(ids: list[int]) -> int:
    """The same booking for make run's SQLite (the statement above is PostgreSQL's): RO by RO, under
    the card's row, with the same rule — due minus booked, a negative difference cut at the balance.
    Demo scale only."""
    moved: set[int] = set()
    for ro in RepairOrder.objects.filter(id__in=ids).order_by("id"):
        with transaction.atomic():
            opened_on = timezone.localtime(ro.opened_at).date()
            card = (
                MemberCard.objects.select_for_update()
                .filter(valid_on(opened_on), vehicle_id=ro.vehicle_id, store_id=ro.store_id)
                .first()
            )
            if card is None:
                continue
            due = 0 if ro.work_type == WorkType.WARRANTY or ro.amount is None or ro.amount < 0 else int(ro.amount)
            booked = PointEntry.objects.filter(repair_order=ro).aggregate(total=Sum("points"))["total"] or 0
            diff = due - booked
            if diff < 0:
                diff = max(diff, -card.balance)
            if diff == 0:
                continue
            PointEntry.objects.create(card=card, kind=EntryKind.REPAIR_ORDER, points=diff, repair_order=ro)
            MemberCard.objects.filter(pk=card.pk).update(balance=F("balance") + diff)
            moved.add(card.pk)
    if moved:
        levels_refresh(card_ids=moved)
    return len(moved)


def ro_points_after_import(ctx) -> None:
    """DMS import post-step: the points of the ROs the file named."""
    ro_ids = ctx.touched.get("repair_orders", set())
    if ro_ids:
        ro_points_book(ro_ids=ro_ids)
