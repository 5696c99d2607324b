"""The import's set-based batches (crm/importing/bulk.py): a fixed number of statements per batch,
customer cards refreshed once per import (and again by a rerun), ownership and mileage rules
within a batch, and the same results through the ORM path other databases take."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.models import CallbackTask
from crm.choices import CardType
from crm.importing import bulk
from crm.importing.handlers import RepairOrdersSheet
from crm.importing.runner import import_file
from crm.models import Customer, RepairOrder, Vehicle, VehicleOwnership
from tests.crm.dms_files import ro_row, write_workbook
from tests.factories import make_vin

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _ros(n: int, start: int = 0) -> list[dict]:
    """n repair orders of n new customers and vehicles, a day apart."""
    return [
        ro_row(
            工单号=f"WX{i:04d}",
            车架号=make_vin(),
            客户姓名=f"客户{i}",
            手机=f"139{i:08d}",
            进厂时间=dt.datetime(2026, 10, 1 + i, 9, 0),
            交车时间=dt.datetime(2026, 10, 1 + i, 17, 0),
        )
        for i in range(start, start + n)
    ]


def _statements(path, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        import_file(path, **kwargs)
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_statements_per_batch_do_not_grow_with_rows(tmp_path, store_a):
    import_file(write_workbook(tmp_path / "staff.xlsx", {"工单": [ro_row()]}))  # the advisor and team exist
    few = _statements(write_workbook(tmp_path / "few.xlsx", {"工单": _ros(2)}))
    many = _statements(write_workbook(tmp_path / "many.xlsx", {"工单": _ros(12, start=2)}))
    assert len(many) == len(few)


def test_cards_are_refreshed_once_per_import_after_the_last_batch(tmp_path, store_a, monkeypatch):
    monkeypatch.setattr(RepairOrdersSheet, "batch_size", 2)
    statements = _statements(write_workbook(tmp_path / "ros.xlsx", {"工单": _ros(7)}))

    card_updates = [s for s in statements if s.startswith('UPDATE "crm_customer" SET "card_type"')]
    assert len(card_updates) == 1  # 4 batches, one refresh
    assert set(Customer.objects.values_list("card_type", flat=True)) == {CardType.C}
    customer = Customer.objects.get(name="客户3")
    assert customer.first_service_at == customer.last_visit_at == dt.datetime(2026, 10, 4, 9, tzinfo=SHANGHAI)


def test_rerunning_an_import_that_died_half_way_refreshes_every_card(tmp_path, store_a, monkeypatch):
    path = write_workbook(tmp_path / "ros.xlsx", {"工单": _ros(4)})
    monkeypatch.setattr(RepairOrdersSheet, "batch_size", 2)
    real_batch = RepairOrdersSheet.import_batch
    calls = []

    def dying(self, rows, ctx):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real_batch(self, rows, ctx)

    monkeypatch.setattr(RepairOrdersSheet, "import_batch", dying)
    with pytest.raises(RuntimeError):
        import_file(path)
    # The first batch committed; the import never reached the card refresh.
    assert RepairOrder.objects.count() == 2
    assert set(Customer.objects.values_list("card_type", flat=True)) == {CardType.A}

    monkeypatch.setattr(RepairOrdersSheet, "import_batch", real_batch)
    result = import_file(path)
    assert {k: result.summary()["repair_orders"][k] for k in ("created", "unchanged")} == {"created": 2, "unchanged": 2}
    assert set(Customer.objects.values_list("card_type", flat=True)) == {CardType.C}
    assert CallbackTask.objects.count() == 4  # the callbacks of the first run's batch too


def test_a_repair_order_moved_to_another_customer_refreshes_both_cards(tmp_path, store_a):
    import_file(write_workbook(tmp_path / "1.xlsx", {"工单": [ro_row()]}))
    first = Customer.objects.get()
    assert first.card_type == CardType.C

    import_file(write_workbook(tmp_path / "2.xlsx", {"工单": [ro_row(客户姓名="李娜", 手机="13912345678")]}))
    first.refresh_from_db()
    assert (first.card_type, first.first_service_at, first.last_visit_at) == (CardType.A, None, None)
    assert Customer.objects.get(name="李娜").card_type == CardType.C


def test_two_owners_within_one_batch_both_keep_their_period(tmp_path, store_a):
    vin = make_vin()
    rows = [
        ro_row(工单号="R1", 车架号=vin, 客户姓名="张伟", 手机="13856781234", 进厂时间=dt.datetime(2026, 10, 1, 9)),
        ro_row(工单号="R2", 车架号=vin, 客户姓名="李娜", 手机="13912345678", 进厂时间=dt.datetime(2026, 10, 8, 9)),
        ro_row(工单号="R3", 车架号=vin, 客户姓名="王芳", 手机="13712345678", 进厂时间=dt.datetime(2026, 10, 20, 9)),
    ]
    import_file(write_workbook(tmp_path / "r.xlsx", {"工单": rows}))

    history = list(
        VehicleOwnership.objects.order_by("started_on").values_list("customer__name", "started_on", "ended_on")
    )
    assert history == [
        ("张伟", dt.date(2026, 10, 1), dt.date(2026, 10, 8)),
        ("李娜", dt.date(2026, 10, 8), dt.date(2026, 10, 20)),
        ("王芳", dt.date(2026, 10, 20), None),
    ]
    assert Vehicle.objects.get().owner.name == "王芳"


def test_mileage_only_grows_and_a_new_vehicle_may_have_no_plate(tmp_path, store_a):
    vin = make_vin()
    rows = [
        ro_row(工单号="R1", 车架号=vin, 车牌号=None, 行驶里程=9000),
        ro_row(工单号="R2", 车架号=vin, 车牌号=None, 行驶里程=8000, 进厂时间=dt.datetime(2026, 10, 21, 9)),
    ]
    import_file(write_workbook(tmp_path / "1.xlsx", {"工单": rows}))
    vehicle = Vehicle.objects.get()
    assert (vehicle.plate, vehicle.mileage_km) == ("", 9000)

    import_file(write_workbook(tmp_path / "2.xlsx", {"工单": [ro_row(工单号="R3", 车架号=vin, 行驶里程=7000)]}))
    vehicle.refresh_from_db()
    assert (vehicle.plate, vehicle.mileage_km) == ("皖N8K123", 9000)


def test_two_repair_orders_of_one_vehicle_in_one_file_share_the_later_callback(tmp_path, store_a):
    vin = make_vin()
    rows = [
        ro_row(工单号="R1", 车架号=vin, 进厂时间=dt.datetime(2026, 10, 1, 9), 交车时间=dt.datetime(2026, 10, 1, 17)),
        ro_row(工单号="R2", 车架号=vin, 进厂时间=dt.datetime(2026, 10, 3, 9), 交车时间=dt.datetime(2026, 10, 3, 17)),
    ]
    import_file(write_workbook(tmp_path / "r.xlsx", {"工单": rows}))

    task = CallbackTask.objects.get()
    assert task.repair_order.ro_no == "R2"
    assert sorted(task.merged_repair_orders.values_list("ro_no", flat=True)) == ["R1", "R2"]
    assert task.window_opens_at == dt.datetime(2026, 10, 6, tzinfo=SHANGHAI)


@pytest.mark.parametrize("path", ["postgresql", "orm"])
def test_the_orm_path_of_other_databases_gives_the_same_results(tmp_path, store_a, monkeypatch, path):
    """SQLite (the demo without a server) takes the ORM path of crm.importing.bulk."""
    if path == "orm":
        monkeypatch.setattr(bulk, "_pg", lambda: False)
    rows = _ros(3)
    import_file(write_workbook(tmp_path / "1.xlsx", {"工单": rows}))
    again = import_file(write_workbook(tmp_path / "1.xlsx", {"工单": rows}))
    rows[1] |= {"结算金额": 999, "行驶里程": 99999}
    changed = import_file(write_workbook(tmp_path / "2.xlsx", {"工单": rows}))

    assert [again.summary()["repair_orders"][k] for k in ("created", "unchanged")] == [0, 3]
    assert [changed.summary()["repair_orders"][k] for k in ("updated", "unchanged")] == [1, 2]
    assert RepairOrder.objects.get(ro_no="WX0001").amount == 999
    assert Vehicle.objects.get(repair_orders__ro_no="WX0001").mileage_km == 99999
    assert set(Customer.objects.values_list("card_type", flat=True)) == {CardType.C}
    assert CallbackTask.objects.count() == 3


def test_a_value_too_long_for_its_column_is_refused_not_cut(store_a):
    from django.db import DataError, transaction

    from crm.models import RepairTeam

    with pytest.raises(DataError), transaction.atomic():
        bulk.insert_rows(RepairTeam, [{"store_id": store_a.pk, "name": "维" * 300}])
    assert not RepairTeam.objects.exists()
