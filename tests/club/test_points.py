"""The points ledger (SPEC §10.6): RO points once per RO and the difference on re-import, warranty
ROs earn nothing, the balance is the ledger's sum and never negative, levels at the edges."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum, Value

from club.choices import DEFAULT_GOLD_FROM, DEFAULT_SILVER_FROM, CardState, EntryKind, Level, level_for
from club.levels import level_case, levels_refresh
from club.models import LedgerIsAppendOnly, MemberCard, PointEntry
from club.ro_points import ro_points_book
from club.services import (
    ClubError,
    card_enrol,
    card_renew,
    card_replace,
    club_settings_save,
    points_adjust,
    points_redeem,
)
from crm.importing.runner import import_file
from crm.models import RepairOrder, Vehicle
from tests.club.factories import NOW, SH, member_card
from tests.crm.dms_files import ro_row, write_workbook
from tests.factories import RepairOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def ledger_sum(card) -> int:
    return card.entries.aggregate(total=Sum("points"))["total"] or 0


def assert_balance_is_the_sum(*cards):
    for card in cards:
        card.refresh_from_db()
        assert card.balance == ledger_sum(card)
        assert card.balance >= 0


def test_an_imported_ro_earns_its_amount_once_and_a_reimport_books_the_difference(store_a, tmp_path):
    import_file(write_workbook(tmp_path / "a.xlsx", {"工单": [ro_row()]}))
    order = RepairOrder.objects.get()
    assert not PointEntry.objects.exists()  # no card yet: nothing to earn

    card = card_enrol(customer=order.customer, vehicle=order.vehicle, on=dt.date(2026, 10, 1))
    import_file(write_workbook(tmp_path / "b.xlsx", {"工单": [ro_row()]}))
    import_file(write_workbook(tmp_path / "c.xlsx", {"工单": [ro_row()]}))  # the same file again
    entries = list(card.entries.values_list("kind", "points", "repair_order_id"))
    assert entries == [(EntryKind.REPAIR_ORDER, 460, order.pk)]  # 460.50 yuan: one point per whole yuan

    import_file(write_workbook(tmp_path / "d.xlsx", {"工单": [ro_row(结算金额="600")]}))
    assert sorted(card.entries.values_list("points", flat=True)) == [140, 460]
    assert_balance_is_the_sum(card)
    assert card.balance == 600


def test_a_warranty_ro_earns_nothing_and_turning_one_into_warranty_takes_its_points_back(store_a, tmp_path):
    warranty = ro_row(工单号="WX1", 维修类型="索赔", 结算金额="3000")
    import_file(write_workbook(tmp_path / "a.xlsx", {"工单": [ro_row(工单号="WX0")]}))
    order = RepairOrder.objects.get()
    card = card_enrol(customer=order.customer, vehicle=order.vehicle, on=dt.date(2026, 10, 1))
    import_file(write_workbook(tmp_path / "b.xlsx", {"工单": [ro_row(工单号="WX0"), warranty]}))
    assert list(card.entries.values_list("repair_order__ro_no", "points")) == [("WX0", 460)]

    import_file(write_workbook(tmp_path / "c.xlsx", {"工单": [ro_row(工单号="WX0", 维修类型="索赔")]}))
    assert sorted(card.entries.values_list("points", flat=True)) == [-460, 460]
    assert_balance_is_the_sum(card)
    assert card.balance == 0


def test_a_correction_never_takes_the_balance_below_zero(store_a):
    card = member_card(store_a)
    first = RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, amount=1000)
    second = RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, amount=500)
    ro_points_book(ro_ids=[first.pk, second.pk])
    points_redeem(card=card, points=1200, note="自驾游", user=None)
    RepairOrder.objects.filter(pk__in=[first.pk, second.pk]).update(amount=0)
    ro_points_book(ro_ids=[first.pk, second.pk])  # -1000 and -500 wanted, 300 held
    assert_balance_is_the_sum(card)
    assert card.balance == 0
    ro_points_book(ro_ids=[first.pk, second.pk])  # nothing left to take: nothing booked
    assert card.entries.count() == 4


def test_ros_before_enrolment_or_at_another_store_earn_nothing(store_a, store_b):
    card = member_card(store_a, issued_on=dt.date(2026, 6, 1), amount=800)  # its RO is of 2025-12-01
    elsewhere = RepairOrderFactory(store=store_b, vehicle=card.vehicle, customer=card.customer, amount=900)
    ro_points_book(ro_ids=RepairOrder.objects.values_list("pk", flat=True))
    assert not card.entries.exists()
    assert elsewhere.point_entries.count() == 0


def test_redemption_deducts_with_a_note_and_refuses_more_than_the_balance(store_a):
    card = member_card(store_a, points=500)
    points_redeem(card=card, points=300, note="休息区饮品", user=None)
    with pytest.raises(ClubError):
        points_redeem(card=card, points=201, note="自驾游", user=None)
    assert_balance_is_the_sum(card)
    assert card.balance == 200
    assert card.entries.get(kind=EntryKind.REDEMPTION).reason == "休息区饮品"


def test_an_expired_card_cannot_redeem_until_renewed(store_a):
    card = member_card(store_a, points=500, issued_on=dt.date(2023, 12, 1))
    assert card.expires_on == dt.date(2026, 11, 30)
    with pytest.raises(ClubError):
        points_redeem(card=card, points=100, note="饮品", user=None)
    renewed = card_renew(card=card)
    assert renewed.expires_on == dt.date(2029, 12, 6)  # three years from today, as it had lapsed
    points_redeem(card=card, points=100, note="饮品", user=None)
    # Renewed in time, the three years run on from the current expiry.
    assert card_renew(card=card).expires_on == dt.date(2032, 12, 6)


def test_a_replaced_card_carries_its_balance_and_its_level_history(store_a):
    card = member_card(store_a, points=DEFAULT_SILVER_FROM + 5)
    assert card.level == Level.SILVER
    new = card_replace(card=card, user=None, reason="丢失")
    card.refresh_from_db()
    assert (card.state, card.replaced_by, card.balance) == (CardState.REPLACED, new, 0)
    assert (new.state, new.balance, new.expires_on) == (CardState.ACTIVE, DEFAULT_SILVER_FROM + 5, card.expires_on)
    assert new.number != card.number and new.number.startswith(store_a.code)
    assert_balance_is_the_sum(card, new)
    assert levels_refresh() == 0  # the old card's earnings still count for the new one
    new.refresh_from_db()
    assert new.level == Level.SILVER
    with pytest.raises(ClubError):
        points_redeem(card=card, points=1, note="旧卡", user=None)


def test_one_active_card_per_vehicle_and_numbers_per_store(store_a, store_b):
    card = member_card(store_a)
    with pytest.raises(ClubError):
        card_enrol(customer=card.customer, vehicle=card.vehicle)
    other = member_card(store_b)
    assert (card.number, other.number) == ("LA000001", "HF000001")
    stranger = Vehicle.objects.create(store=store_a, vin="LFMA1234567890123", owner=card.customer)
    with pytest.raises(ClubError):  # no delivery or RO at the store: no membership
        card_enrol(customer=card.customer, vehicle=stranger)


@pytest.mark.parametrize(
    ("earned", "level"),
    [
        (DEFAULT_SILVER_FROM - 1, Level.STANDARD),
        (DEFAULT_SILVER_FROM, Level.SILVER),
        (DEFAULT_GOLD_FROM - 1, Level.SILVER),
        (DEFAULT_GOLD_FROM, Level.GOLD),
    ],
)
def test_levels_change_at_the_threshold_edges(store_a, earned, level):
    """The level rule's three forms agree at the edges: the SQL of the refresh (the card's cached
    level), choices.level_for and the ORM's level_case (the past-month report's)."""
    card = member_card(store_a, points=earned)
    assert card.level == level == level_for(earned, silver_from=DEFAULT_SILVER_FROM, gold_from=DEFAULT_GOLD_FROM)
    orm = level_case(Value(earned), silver_from=Value(DEFAULT_SILVER_FROM), gold_from=Value(DEFAULT_GOLD_FROM))
    assert MemberCard.objects.filter(pk=card.pk).annotate(then=orm).values_list("then", flat=True).get() == level


def test_points_older_than_twelve_months_stop_counting_and_redemptions_never_lower_the_level(store_a):
    with time_machine.travel(dt.datetime(2026, 1, 10, 10, tzinfo=SH), tick=False):
        card = member_card(store_a, points=DEFAULT_SILVER_FROM)
    points_redeem(card=card, points=DEFAULT_SILVER_FROM, note="自驾游", user=None)
    card.refresh_from_db()
    assert card.level == Level.SILVER
    assert levels_refresh(on=dt.date(2027, 1, 9)) == 0  # 365th day: still counts
    assert levels_refresh(on=dt.date(2027, 1, 10)) == 1
    card.refresh_from_db()
    assert card.level == Level.STANDARD


def test_store_thresholds_override_the_defaults(store_a, store_b):
    card = member_card(store_a, points=800)
    other = member_card(store_b, points=800)
    club_settings_save(store=store_a, silver_from=500, gold_from=800)
    card.refresh_from_db()
    other.refresh_from_db()
    assert (card.level, other.level) == (Level.GOLD, Level.STANDARD)


def test_an_adjustment_needs_a_reason_and_the_ledger_is_append_only(store_a, cr_manager):
    card = member_card(store_a, points=100)
    with pytest.raises(ValidationError):
        points_adjust(card=card, points=50, reason=" ", user=None)
    points_adjust(card=card, points=-40, reason="录入错误更正", user=cr_manager)
    assert_balance_is_the_sum(card)
    assert list(card.entries.order_by("id").values_list("points", flat=True)) == [100, -40]
    assert MemberCard.objects.get(pk=card.pk).balance == 60

    entry = card.entries.order_by("id").last()
    entry.points = -10
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        PointEntry.objects.filter(pk=entry.pk).update(points=-10)
    with pytest.raises(LedgerIsAppendOnly):
        PointEntry.objects.filter(pk=entry.pk).delete()
    # Past the ORM, PostgreSQL's trigger refuses the change and the removal.
    for sql in (
        "UPDATE club_pointentry SET points = -10 WHERE id = %s",
        "UPDATE club_pointentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM club_pointentry WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert list(card.entries.order_by("id").values_list("points", "reason")) == [
        (100, "开卡赠送"),
        (-40, "录入错误更正"),
    ]
    # The one change it lets through: the author's removal when his user is deleted.
    cr_manager.delete()
    assert PointEntry.objects.get(pk=entry.pk).created_by is None


@pytest.fixture(params=["postgresql", "portable"])
def vendor(request, monkeypatch):
    """Both booking paths: PostgreSQL's one statement and the portable one make run's SQLite takes."""
    if request.param == "portable":
        from django.db import connection

        monkeypatch.setattr(connection, "vendor", "sqlite")
    return request.param


def test_both_booking_paths_book_once_the_difference_and_nothing_for_warranty(store_a, vendor):
    card = member_card(store_a)
    ro = RepairOrderFactory(
        store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=NOW, amount=3456.7, work_type=""
    )
    ro_points_book(ro_ids=[ro.pk])
    ro_points_book(ro_ids=[ro.pk])  # a rerun books nothing
    card.refresh_from_db()
    assert (card.balance, card.level) == (3456, Level.SILVER)
    RepairOrder.objects.filter(pk=ro.pk).update(amount=1000)
    ro_points_book(ro_ids=[ro.pk])
    card.refresh_from_db()
    assert (card.balance, card.level) == (1000, Level.STANDARD)
    assert_balance_is_the_sum(card)
    RepairOrder.objects.filter(pk=ro.pk).update(work_type="warranty")
    ro_points_book(ro_ids=[ro.pk])
    card.refresh_from_db()
    assert card.balance == 0 and card.entries.filter(repair_order=ro).count() == 3


def test_a_raise_after_a_replacement_books_the_difference_on_the_new_card(store_a, vendor):
    """Probe 1: an RO booked on the old card, re-imported with a raised amount after the card was
    replaced, books the difference (against the whole chain) on the card valid now."""
    card = member_card(store_a, issued_on=dt.date(2026, 10, 1))
    opened = dt.datetime(2026, 11, 2, 10, tzinfo=SH)
    ro = RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=opened, amount=460)
    ro_points_book(ro_ids=[ro.pk])
    new = card_replace(card=card, user=None, reason="丢失")
    assert new.issued_on == dt.date(2026, 12, 7) and new.points_from == dt.date(2026, 10, 1)
    RepairOrder.objects.filter(pk=ro.pk).update(amount=600)
    ro_points_book(ro_ids=[ro.pk])
    ro_points_book(ro_ids=[ro.pk])  # once per RO across the chain: a rerun books nothing
    assert list(new.entries.filter(repair_order=ro).values_list("points", flat=True)) == [140]
    assert ro.point_entries.aggregate(total=Sum("points"))["total"] == 600
    RepairOrder.objects.filter(pk=ro.pk).update(amount=500)  # and a lowered amount is corrected there too
    ro_points_book(ro_ids=[ro.pk])
    assert ro.point_entries.aggregate(total=Sum("points"))["total"] == 500
    assert_balance_is_the_sum(card, new)
    assert new.balance == 500


def test_a_pre_replacement_ro_imported_late_books_on_the_new_card(store_a, vendor):
    """Probe 2: an RO opened before the replacement, first imported after it."""
    card = member_card(store_a, issued_on=dt.date(2026, 10, 1))
    new = card_replace(card=card, user=None)
    opened = dt.datetime(2026, 11, 20, 10, tzinfo=SH)
    ro = RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=opened, amount=800)
    before_chain = RepairOrderFactory(
        store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=dt.datetime(2026, 9, 1, tzinfo=SH)
    )
    ro_points_book(ro_ids=[ro.pk, before_chain.pk])
    assert list(new.entries.values_list("repair_order_id", "points")) == [(ro.pk, 800)]
    assert not card.entries.exists()
    assert_balance_is_the_sum(card, new)


def test_an_ro_opened_while_the_card_had_lapsed_earns_nothing_even_after_a_late_renewal(store_a, vendor):
    card = member_card(store_a, issued_on=dt.date(2023, 12, 1))  # expired 2026-11-30

    def ro(day, amount):
        opened = dt.datetime.combine(day, dt.time(10), tzinfo=SH)
        return RepairOrderFactory(
            store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=opened, amount=amount
        )

    before, lapsed = ro(dt.date(2026, 11, 30), 100), ro(dt.date(2026, 12, 3), 700)
    ro_points_book(ro_ids=[before.pk, lapsed.pk])  # expired now, but the first RO was opened in time
    assert list(card.entries.filter(kind=EntryKind.REPAIR_ORDER).values_list("repair_order_id", flat=True)) == [
        before.pk
    ]
    card_renew(card=card, on=dt.date(2026, 12, 5))
    assert list(card.lapses.values_list("starts_on", "ends_on")) == [(dt.date(2026, 12, 1), dt.date(2026, 12, 4))]
    renewal_day = ro(dt.date(2026, 12, 5), 300)
    RepairOrder.objects.filter(pk=lapsed.pk).update(amount=800)
    ro_points_book(ro_ids=[before.pk, lapsed.pk, renewal_day.pk])  # the re-import after the renewal
    assert not lapsed.point_entries.exists()
    assert renewal_day.point_entries.get().points == 300
    new = card_replace(card=card, user=None)  # the lapse goes with the chain
    ro_points_book(ro_ids=[lapsed.pk])
    assert not lapsed.point_entries.exists()
    assert_balance_is_the_sum(card, new)
    assert new.balance == 400


def test_renewed_in_time_there_is_no_lapse(store_a):
    card = member_card(store_a, issued_on=dt.date(2023, 12, 8))  # expires 2026-12-07, today
    card_renew(card=card)
    card_renew(card=card, on=dt.date(2026, 12, 8))
    assert not card.lapses.exists()


def test_the_validity_rule_reads_alike_in_python_the_orm_the_sql_and_the_revenue_report(store_a):
    """club.validity's three forms of one rule, with and without the state (`any_state`: valid then,
    replaced since), over a replaced card, its successor (chain start carried), an expiry and a
    lapse; and the club's revenue report, which counts an RO as a member's on exactly the days the
    chain had a card valid then."""
    from django.db import connection

    from club.stats import member_revenue_share
    from club.validity import card_valid_on, valid_on, valid_on_sql

    old = member_card(store_a, issued_on=dt.date(2023, 10, 1))  # expired 2026-09-30
    card_renew(card=old, on=dt.date(2026, 10, 15))  # lapse 2026-10-01..2026-10-14
    new = card_replace(card=old, user=None)
    days = [dt.date(2023, 9, 30), dt.date(2023, 10, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 1)]
    days += [dt.date(2026, 10, 14), dt.date(2026, 10, 15), dt.date(2029, 10, 14), dt.date(2029, 10, 15)]
    for any_state in (False, True):
        for card in (old, new):
            card.refresh_from_db()
            for day in days:
                python = card_valid_on(card, day, any_state=any_state)
                orm = MemberCard.objects.filter(valid_on(day, any_state=any_state), pk=card.pk).exists()
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT COUNT(*) FROM club_membercard c WHERE c.id = %s"
                        f" AND {valid_on_sql('c', '%s', any_state=any_state)}",
                        [card.pk, day, day],
                    )
                    sql = cursor.fetchone()[0] == 1
                assert python == orm == sql, (card.number, day, any_state)
    valid = [day for day in days if card_valid_on(new, day)]
    assert valid == [dt.date(2023, 10, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 15), dt.date(2029, 10, 14)]
    assert not any(card_valid_on(old, day) for day in days)  # replaced
    assert [day for day in days if card_valid_on(old, day, any_state=True)] == valid  # but valid then

    # One RO per day, each of its own amount (a power of two): the report's member revenue of a month
    # names exactly the days the chain was valid on.
    for i, day in enumerate(days):
        opened = dt.datetime.combine(day, dt.time(10), tzinfo=SH)
        RepairOrderFactory(store=store_a, vehicle=new.vehicle, customer=new.customer, opened_at=opened, amount=2**i)
    member_revenue = 0
    for month in sorted({day.replace(day=1) for day in days}):
        [row] = member_revenue_share(store_ids=[store_a.pk], month=month)
        member_revenue += row["member_revenue"]
    assert member_revenue == sum(2**i for i, day in enumerate(days) if day in valid)
