"""Service KPIs (seed 003) and the A/C card analysis (tables 11–12) against hand-computed figures."""

import datetime as dt
from decimal import Decimal

import pytest

from crm.choices import Gender, IncomeBand, InfoSource, Occupation, PurchaseType, StaffRole
from reports.tables.card_analysis import build_card_analysis_sales, build_card_analysis_service
from reports.tables.service_kpis import build_service_kpis
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, VehicleFactory
from tests.reports.builders import consultant, local

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.django_db


def ro(store, advisor, delivered_at, **kwargs):
    return RepairOrderFactory(
        store=store,
        service_advisor=advisor,
        opened_at=delivered_at - dt.timedelta(hours=4),
        delivered_at=delivered_at,
        **kwargs,
    )


def test_service_kpis(store_a, store_b):
    sa1 = consultant(store_a, "甲顾问", StaffRole.SERVICE_ADVISOR)
    sa2 = consultant(store_a, "乙顾问", StaffRole.SERVICE_ADVISOR)
    oct10 = local(2026, 10, 10, 16, 0)
    # sa1: 4 ROs — 1 rework; 3 promised, 2 on time (one exactly at the promised minute); 3 with both
    # amounts, 2 within ±10 % (exactly +10 % counts, +10.01 % does not)
    ro(store_a, sa1, oct10, is_rework=True, promised_at=oct10, estimate_amount=Decimal(1000), amount=Decimal(1100))
    ro(
        store_a,
        sa1,
        oct10,
        promised_at=oct10 + dt.timedelta(hours=1),
        estimate_amount=Decimal(1000),
        amount=Decimal("1100.10"),
    )
    ro(
        store_a,
        sa1,
        oct10,
        promised_at=oct10 - dt.timedelta(minutes=1),
        estimate_amount=Decimal(500),
        amount=Decimal(450),
    )
    ro(store_a, sa1, local(2026, 10, 31, 23, 30), amount=Decimal(300))
    # sa2: one RO with nothing promised or estimated → empty rates, not 0
    ro(store_a, sa2, oct10)
    ro(store_a, sa1, local(2026, 11, 1, 0, 0), is_rework=True)  # November
    ro(store_a, sa1, local(2026, 9, 30, 23, 59), is_rework=True)  # September
    RepairOrderFactory(store=store_a, service_advisor=sa1, delivered_at=None)  # not delivered
    ro(store_b, consultant(store_b, "丙顾问", StaffRole.SERVICE_ADVISOR), oct10, is_rework=True)
    table = build_service_kpis(store_ids=[store_a.id], month=OCT)
    rows = {r["name"]: r for r in table.rows}
    assert set(rows) == {"甲顾问", "乙顾问"}
    a = rows["甲顾问"]
    assert (a["ros"], a["rework"], a["promised"], a["on_time"], a["estimated"], a["accurate"]) == (4, 1, 3, 2, 3, 2)
    assert a["first_time_fix_rate"] == pytest.approx(3 / 4)
    assert a["on_time_rate"] == pytest.approx(2 / 3)
    assert a["estimate_accuracy"] == pytest.approx(2 / 3)
    b = rows["乙顾问"]
    assert b["first_time_fix_rate"] == 1.0
    assert b["on_time_rate"] is None and b["estimate_accuracy"] is None
    total = table.total_row
    assert (total["ros"], total["rework"], total["on_time"]) == (5, 1, 2)
    assert total["first_time_fix_rate"] == pytest.approx(4 / 5)
    assert table.headers[:4] == ["服务顾问", "工单数", "返修工单数", "一次修复率"]
    # own rows: an advisor sees only theirs, the total is theirs
    own = build_service_kpis(store_ids=[store_a.id], month=OCT, staff_id=sa2.id)
    assert [r["name"] for r in own.rows] == ["乙顾问"] and own.total_row["ros"] == 1


def test_card_analysis_sales(store_a):
    sc = consultant(store_a, "张销售")

    def sell(series, delivered_on=dt.date(2026, 10, 15), purchase=PurchaseType.FIRST, **customer):
        c = CustomerFactory(store=store_a, **customer)
        v = VehicleFactory(store=store_a, owner=c, series=series, model=f"{series} 2.0")
        return DeliveryFactory(
            store=store_a, customer=c, vehicle=v, sales_consultant=sc, delivered_on=delivered_on, purchase_type=purchase
        )

    # age on 2026-10-31: born 2001-11-01 → 24 (≤25); born 2000-10-31 → 26; born 1980-10-31 → 46
    sell(
        "卡罗拉",
        gender=Gender.MALE,
        birthday=dt.date(2001, 11, 1),
        income_band=IncomeBand.FROM_4000,
        district="金安区",
        occupation=Occupation.WHITE_COLLAR,
        info_source=InfoSource.INTERNET,
    )
    sell(
        "卡罗拉",
        gender=Gender.FEMALE,
        birthday=dt.date(2000, 10, 31),
        district="金安区",
        purchase=PurchaseType.REPLACEMENT,
    )
    sell(
        "皇冠",
        gender=Gender.MALE,
        birthday=dt.date(1980, 10, 31),
        district="裕安区",
        occupation=Occupation.BUSINESS_OWNER,
        purchase=PurchaseType.ADDITIONAL,
    )
    sell("", gender="", district="")  # no series: falls back to the model, here " 2.0"
    sell("皇冠", delivered_on=dt.date(2026, 11, 1))  # November
    table = build_card_analysis_sales(store_ids=[store_a.id], month=OCT)
    rows = {r["series"]: r for r in table.rows}
    corolla, crown = rows["卡罗拉"], rows["皇冠"]
    assert corolla["customers"] == 2
    assert (corolla["gender_M"], corolla["gender_F"]) == (1, 1)
    assert (corolla["age_25"], corolla["age_26"], corolla["age_46"]) == (1, 1, 0)
    assert crown["age_46"] == 1
    assert corolla["income_4000_5999"] == 1 and corolla["income_unknown"] == 1
    assert corolla["occupation_white_collar"] == 1 and crown["occupation_owner"] == 1
    assert corolla["source_internet"] == 1
    assert (corolla["purchase_first"], corolla["purchase_replacement"], crown["purchase_additional"]) == (1, 1, 1)
    headers = table.headers
    assert headers[:2] == ["车型", "客户数"]
    assert "性别·男" in headers and "年龄·25岁以下" in headers and "居住区域·金安区" in headers
    district_key = next(c.key for c in table.columns if c.header == "居住区域·金安区")
    assert corolla[district_key] == 2
    assert table.total_row["customers"] == 4
    assert table.total_row["gender_M"] == 2
    assert table.total_row["district_unknown"] == 1


def test_card_analysis_service_month_edges_and_purchase_type(store_a):
    sa = consultant(store_a, "李服务", StaffRole.SERVICE_ADVISOR)
    c = CustomerFactory(store=store_a, gender=Gender.FEMALE, district="金安区")
    v = VehicleFactory(store=store_a, owner=c, series="威驰")
    DeliveryFactory(
        store=store_a, customer=c, vehicle=v, delivered_on=dt.date(2025, 1, 1), purchase_type=PurchaseType.ADDITIONAL
    )
    # two ROs of the same customer in October count the customer once; the Nov 1 00:00 one is November
    RepairOrderFactory(
        store=store_a,
        customer=c,
        vehicle=v,
        service_advisor=sa,
        opened_at=local(2026, 10, 31, 20, 0),
        delivered_at=local(2026, 10, 31, 23, 30),
    )
    RepairOrderFactory(
        store=store_a,
        customer=c,
        vehicle=v,
        service_advisor=sa,
        opened_at=local(2026, 10, 3, 8, 0),
        delivered_at=local(2026, 10, 3, 12, 0),
    )
    RepairOrderFactory(
        store=store_a,
        service_advisor=sa,
        vehicle__series="威驰",
        opened_at=local(2026, 10, 31, 20, 0),
        delivered_at=local(2026, 11, 1, 0, 0),
    )
    table = build_card_analysis_service(store_ids=[store_a.id], month=OCT)
    (row,) = list(table.rows)
    assert (row["series"], row["customers"], row["gender_F"], row["purchase_additional"]) == ("威驰", 1, 1, 1)
    assert table.total_row["customers"] == 1
