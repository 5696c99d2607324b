"""Complaint report figures: the month's list with colour labels and the monthly SLA compliance."""

import datetime as dt

import time_machine

from complaints.reports import COMPLAINTS_HEADERS, complaints_monthly_summary, complaints_rows, month_range
from complaints.services import case_dispatch, case_first_contact

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_month_list_and_summary(make_case, cr_manager, advisor, service_department):
    received = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(received, tick=False):
        late = make_case()
        prompt = make_case(content="第二件")
    with time_machine.travel(received + dt.timedelta(minutes=10), tick=False):
        prompt = case_dispatch(case=prompt, user=cr_manager, department=service_department, handler=advisor)
        case_first_contact(case=prompt, user=advisor)
    with time_machine.travel(received + dt.timedelta(hours=2), tick=False):
        case_dispatch(case=late, user=cr_manager, department=service_department, handler=advisor)
    start, end = month_range(dt.date(2026, 10, 1))
    rows = list(complaints_rows(start=start, end=end, store_ids=None, now=received + dt.timedelta(hours=30)))
    assert [r[0] for r in rows] == [late.case_no, prompt.case_no]
    colour = COMPLAINTS_HEADERS.index("SLA颜色")
    assert [r[colour] for r in rows] == ["红", "白"]
    summary = complaints_monthly_summary(start=start, end=end, store_ids=None)
    totals = summary["totals"]
    assert (totals["received"], totals["dispatched"], totals["dispatch_met"], totals["dispatch_late"]) == (2, 2, 1, 1)
    assert (totals["contacted"], totals["contact_met"]) == (1, 1)
    assert summary["by"]["department"] == [{"department__kind": "service", "n": 2}]
    nov_start, nov_end = month_range(dt.date(2026, 11, 1))
    assert complaints_monthly_summary(start=nov_start, end=nov_end, store_ids=None)["totals"]["received"] == 0
