"""The club's reports (SPEC §10.6): members by level, points per month, members' share of service
revenue; registered with the reports page and `export_report`."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from club.choices import DEFAULT_SILVER_FROM, Level
from club.ro_points import ro_points_book
from club.services import card_renew, card_replace, club_settings_save, points_adjust, points_redeem
from club.stats import member_revenue_share, members_by_level, points_by_month
from crm.choices import WorkType
from tests.club.factories import NOW, SH, member_card
from tests.factories import RepairOrderFactory

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_members_by_level_counts_valid_cards_per_store(store_a, store_b):
    member_card(store_a, points=DEFAULT_SILVER_FROM)
    member_card(store_a)
    member_card(store_a, issued_on=dt.date(2023, 1, 1))  # expired before December
    member_card(store_b, issued_on=dt.date(2026, 12, 2))
    rows = {row["store"]: row for row in members_by_level(store_ids=None, month=MONTH)}
    assert rows[store_a.name] == {
        "store": store_a.name,
        "issued": 0,
        "members": 2,
        Level.STANDARD: 1,
        Level.SILVER: 1,
        Level.GOLD: 0,
    }
    assert (rows[store_b.name]["issued"], rows[store_b.name]["members"]) == (1, 1)
    assert [r["store"] for r in members_by_level(store_ids=[store_b.pk], month=MONTH)] == [store_b.name]


def test_points_per_month_separate_earning_from_redemption(store_a):
    card = member_card(store_a, points=500)
    points_redeem(card=card, points=120, note="饮品", user=None)
    rows = points_by_month(store_ids=[store_a.pk], month=MONTH)
    assert len(rows) == 12 and rows[0]["month"] == "2026-01"
    assert rows[-1] == {
        "month": "2026-12",
        "ro": 0,
        "activity": 0,
        "suggestion": 0,
        "adjustment": 500,
        "earned": 500,
        "redeemed": 120,
    }
    assert all(row["earned"] == row["redeemed"] == 0 for row in rows[:-1])


def test_revenue_share_counts_paid_ros_of_members_on_the_ro_day(store_a):
    card = member_card(store_a, issued_on=dt.date(2026, 12, 3))
    opened = dt.datetime(2026, 12, 5, 10, tzinfo=SH)
    RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=opened, amount=600)
    RepairOrderFactory(store=store_a, vehicle=card.vehicle, opened_at=opened, amount=900, work_type=WorkType.WARRANTY)
    before = dt.datetime(2026, 12, 1, 10, tzinfo=SH)  # before the card: not a member's RO
    RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=before, amount=100)
    RepairOrderFactory(store=store_a, opened_at=opened, amount=300)
    [row] = member_revenue_share(store_ids=[store_a.pk], month=MONTH)
    assert (row["orders"], row["revenue"], row["member_orders"], row["member_revenue"]) == (3, 1000, 1, 600)


def test_the_reports_are_listed_and_exported(client_for, cr_manager, store_a, tmp_path):
    card = member_card(store_a)
    order = RepairOrderFactory(
        store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=NOW - dt.timedelta(days=1), amount=800
    )
    ro_points_book(ro_ids=[order.pk])
    client = client_for(cr_manager)
    index = client.get(reverse("reports:index")).content.decode()
    for name in ("club_members", "club_points", "club_revenue"):
        assert reverse("reports:report", args=[name]) in index
        assert client.get(reverse("reports:report", args=[name]), {"month": "2026-12"}).status_code == 200
    out = tmp_path / "points.xlsx"
    call_command("export_report", "club_points", "--month", "2026-12", "--out", str(out))
    sheet = load_workbook(out).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(row[:2] == ["2026-12", 800] for row in values)


def _at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=SH), tick=False)


def test_members_by_level_for_a_past_month_counts_chains_and_their_level_then(store_a):
    """October 2026, by hand (thresholds silver 500, gold 1000; window 2025-11-01..2026-10-31):
    A (since January) earned 600 in October -> silver; replaced in November and earning 500 more
    then changes neither its count nor its October level. B is new in October and replaced in
    October: one new member, standard. C expired 2026-09-30 and was renewed late in November: not
    a member at October's end. D earned 600 before the window and 450 in it -> standard.
    Issued 1, members 3: standard 2, silver 1, gold 0."""
    club_settings_save(store=store_a, silver_from=500, gold_from=1000)
    a = member_card(store_a, issued_on=dt.date(2026, 1, 5))
    d = member_card(store_a, issued_on=dt.date(2025, 6, 1))
    c = member_card(store_a, issued_on=dt.date(2023, 10, 1))
    with _at(dt.date(2025, 10, 20)):
        points_adjust(card=d, points=600, reason="活动", user=None)
    with _at(dt.date(2025, 11, 5)):
        points_adjust(card=d, points=450, reason="活动", user=None)
    with _at(dt.date(2026, 10, 10)):
        points_adjust(card=a, points=600, reason="活动", user=None)
    b = member_card(store_a, issued_on=dt.date(2026, 10, 12))
    with _at(dt.date(2026, 10, 20)):
        card_replace(card=b, user=None)
    with _at(dt.date(2026, 11, 15)):
        new_a = card_replace(card=a, user=None)
    with _at(dt.date(2026, 11, 20)):
        points_adjust(card=new_a, points=500, reason="活动", user=None)
    card_renew(card=c, on=dt.date(2026, 11, 10))
    new_a.refresh_from_db()
    assert new_a.level == Level.GOLD  # today's level: not October's
    [row] = members_by_level(store_ids=[store_a.pk], month=dt.date(2026, 10, 1))
    assert row == {
        "store": store_a.name,
        "issued": 1,
        "members": 3,
        Level.STANDARD: 2,
        Level.SILVER: 1,
        Level.GOLD: 0,
    }
    [november] = members_by_level(store_ids=[store_a.pk], month=dt.date(2026, 11, 1))
    assert (november["issued"], november["members"], november[Level.GOLD]) == (0, 4, 1)  # C renewed, A gold


def test_revenue_share_does_not_count_an_ro_of_a_lapse_as_a_members(store_a):
    card = member_card(store_a, issued_on=dt.date(2023, 11, 1))  # expired 2026-10-31
    card_renew(card=card, on=dt.date(2026, 11, 20))  # lapse 2026-11-01..2026-11-19
    for day, amount in ((dt.date(2026, 11, 10), 500), (dt.date(2026, 11, 25), 300)):
        opened = dt.datetime.combine(day, dt.time(10), tzinfo=SH)
        RepairOrderFactory(store=store_a, vehicle=card.vehicle, customer=card.customer, opened_at=opened, amount=amount)
    [row] = member_revenue_share(store_ids=[store_a.pk], month=dt.date(2026, 11, 1))
    assert (row["orders"], row["member_orders"], row["member_revenue"]) == (2, 1, 300)
