"""The 投诉 sheet handler: keeps 受理编号, state from the times, idempotent, bad rows reported."""

import datetime as dt

import pytest
import time_machine

from complaints.choices import CaseState, Channel, Level
from complaints.importing import ComplaintSheet
from complaints.models import Case
from complaints.services import case_receive
from crm.importing.registry import CellError, ImportContext, Outcome, ParsedRow, RowError, handler_for_sheet_name

ROWS = [
    {
        "case_no": "LA20260901-007",
        "received_at": "2026-09-01 10:00",
        "customer_name": "王芳",
        "mobile": "13955500001",
        "channel": "来电",
        "category": "维修质量",
        "level": "B",
        "content": "刹车异响",
        "demand": "免费维修",
        "department": "服务部",
        "first_contact_at": "2026-09-01 12:00",
        "feedback_at": "2026-09-02 09:00",
        "closed_at": "2026/9/5",
        "result": "满意",
    },
    {
        "case_no": "LA20260902-001",
        "received_at": "2026-09-02 08:00",
        "customer_name": "李强",
        "mobile": "13955500002",
        "channel": "回访发现",
        "category": "服务态度",
        "content": "接待冷淡",
        "department": "服务部",
    },
    {
        "case_no": "LA20260902-002",
        "received_at": "2026-09-02",
        "customer_name": "赵六",
        "mobile": "12345",
        "channel": "来电",
        "category": "其他",
        "content": "x",
    },
]


def parsed(rows):
    handler = ComplaintSheet()
    out = []
    for number, raw in enumerate(rows, start=2):
        values = {}
        for column in handler.columns:
            value = raw.get(column.key)
            values[column.key] = column.parse(value) if column.parse else value
        out.append(ParsedRow(number, values))
    return out


def test_registered_under_both_names():
    assert isinstance(handler_for_sheet_name("投诉"), ComplaintSheet)
    assert isinstance(handler_for_sheet_name("complaints"), ComplaintSheet)


def test_import_round_trip_is_idempotent(store_a, agent):
    handler = ComplaintSheet()
    results = handler.import_batch(parsed(ROWS), ImportContext(default_store=store_a))
    assert results[2] == Outcome.CREATED and results[3] == Outcome.CREATED
    assert isinstance(results[4], RowError) and results[4].column == "手机"
    closed = Case.objects.get(case_no="LA20260901-007")
    assert closed.state == CaseState.CLOSED and closed.final_result == "satisfied" and closed.level == Level.B
    assert closed.department.kind == "service"
    assert closed.received_at == dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)
    assert closed.first_contact_due_at == closed.received_at + dt.timedelta(hours=24)
    dispatched = Case.objects.get(case_no="LA20260902-001")
    assert dispatched.state == CaseState.DISPATCHED and dispatched.channel == Channel.CALLBACK
    again = handler.import_batch(parsed(ROWS[:2]), ImportContext(default_store=store_a))
    assert again == {2: Outcome.UNCHANGED, 3: Outcome.UNCHANGED}
    changed = [dict(ROWS[1], closed_at="2026-09-04 10:00", result="基本满意")]
    assert handler.import_batch(parsed(changed), ImportContext(default_store=store_a)) == {2: Outcome.UPDATED}
    assert Case.objects.get(case_no="LA20260902-001").state == CaseState.CLOSED
    assert Case.objects.count() == 2
    # A new intake on an imported day skips the numbers the import holds.
    with time_machine.travel(dt.datetime(2026, 9, 2, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        new = case_receive(
            user=agent, store=store_a, customer=dispatched.customer, channel="phone", category="other", content="y"
        )
    assert new.case_no == "LA20260902-002"


def test_bad_date_is_a_cell_error():
    with pytest.raises(CellError):
        ComplaintSheet().columns[1].parse("昨天")


def test_import_attaches_only_this_stores_vehicle_and_refuses_a_store_the_user_cannot_see(store_a, store_b, agent):
    """IDOR: a VIN of another store's vehicle is not attached; a user's import into another store is refused."""
    from tests.factories import VehicleFactory

    foreign = VehicleFactory(store=store_b)
    row = dict(ROWS[1], vin=foreign.vin)
    assert ComplaintSheet().import_batch(parsed([row]), ImportContext(default_store=store_a, user=agent)) == {
        2: Outcome.CREATED
    }
    assert Case.objects.get().vehicle is None
    result = ComplaintSheet().import_batch(
        parsed([dict(ROWS[1], case_no="HF20260902-001")]), ImportContext(default_store=store_b, user=agent)
    )
    assert isinstance(result[2], RowError)
    assert not Case.objects.filter(store=store_b).exists()


def test_values_too_long_for_their_column_are_bad_values_not_database_errors(store_a, tmp_path):
    from crm.importing.runner import import_file
    from tests.crm.dms_files import write_csv

    rows = [
        dict(ROWS[1], case_no="LA-" + "9" * 38),  # 41 characters, the column holds 40
        dict(ROWS[1], case_no="LA20260902-003", content="吵" * 40_000),  # past the cell cap
        dict(ROWS[1], case_no="LA20260902-004", demand="修" * 40_000),  # optional: dropped, imported
        dict(ROWS[0]),
    ]
    path = write_csv(tmp_path / "complaints-2026-09.csv", rows, headers=list(ROWS[0]))
    result = import_file(path, store=store_a)

    problems = [(p.row, p.column, p.ignored) for p in result.problems]
    assert problems == [(2, "受理编号", False), (3, "投诉内容", False), (4, "客户要求", True)]
    assert "超过 40 个字符" in result.problems[0].reason
    assert set(Case.objects.values_list("case_no", flat=True)) == {"LA20260902-004", "LA20260901-007"}
    assert Case.objects.get(case_no="LA20260902-004").demand == ""
