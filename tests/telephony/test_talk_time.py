"""Talk time (通话时长) in the daily callback report: answered calls' durations per agent and local day."""

import datetime as dt

import pytest

from callbacks.models import CallAttempt
from reports.tables.callbacks import build_callback_daily
from telephony.choices import Direction
from telephony.models import CallRecord
from telephony.selectors import talk_time_per_agent_day
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)


def local(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def call(store, agent, answered_at, seconds, call_id):
    return CallRecord.objects.create(
        call_id=call_id, direction=Direction.OUTBOUND, store=store, agent=agent,
        started_at=answered_at or local(2026, 10, 3, 9, 0), answered_at=answered_at, duration_seconds=seconds,
    )  # fmt: skip


def test_talk_time_sums_answered_calls_per_local_day(store_a, store_b, agent, agent_b, task):
    call(store_a, agent, local(2026, 10, 1, 0, 5), 65, "a")  # just after local midnight: Oct 1
    call(store_a, agent, local(2026, 10, 1, 23, 59), 60, "b")
    call(store_a, agent, None, 0, "unanswered")
    call(store_a, agent, local(2026, 9, 30, 23, 50), 600, "september")
    call(store_b, agent_b, local(2026, 10, 1, 10, 0), 300, "other store")
    talk = talk_time_per_agent_day(store_ids=[store_a.pk], date_from=OCT, date_to=dt.date(2026, 10, 31))
    assert talk == {(agent.pk, dt.date(2026, 10, 1)): 125}


def test_daily_report_has_a_talk_time_column(store_a, agent, task):
    CallAttempt.objects.create(task=task, agent=agent, at=local(2026, 10, 1, 10, 0), disposition="成功")
    call(store_a, agent, local(2026, 10, 1, 9, 58), 125, "a")
    call(store_a, agent, local(2026, 10, 2, 9, 0), 3600, "inbound only")  # a day with calls, no attempt
    table = build_callback_daily(store_ids=[store_a.pk], month=OCT)
    assert "通话时长" in table.headers
    rows = [(r["day"], r["attempts"], r["talk_time"]) for r in table.rows]
    assert rows == [(dt.date(2026, 10, 1), 1, "0:02:05"), (dt.date(2026, 10, 2), 0, "1:00:00")]
    assert table.total_row["talk_time"] == "1:02:05"
