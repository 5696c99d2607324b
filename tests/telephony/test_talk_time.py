"""Talk time (通话时长) in the daily callback report: answered calls' durations per agent and local day."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callbacks.models import CallAttempt
from crm.choices import Role
from reports.tables.callbacks import build_callback_daily
from telephony.choices import Direction
from telephony.models import AgentExtension, CallRecord
from telephony.selectors import talk_time_per_agent_day
from tests.callbacks.factories import SalesTaskFactory
from tests.conftest import SHANGHAI
from tests.factories import UserFactory

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


def _daily_page(client, day: dt.date):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("callbacks:daily_report"), {"day": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_daily_page_shows_talk_time_in_constant_queries(store_a, store_b, agent, agent_b, task, client_for):
    day = dt.date(2026, 10, 1)
    CallAttempt.objects.create(task=task, agent=agent, at=local(2026, 10, 1, 10, 0), disposition="成功")
    call(store_a, agent, local(2026, 10, 1, 9, 58), 125, "a")
    call(store_b, agent_b, local(2026, 10, 1, 9, 0), 999, "another store")
    call(store_a, UserFactory(username="dan", stores=[store_a]), local(2026, 10, 1, 9, 0), 30, "talk only")
    client = client_for(UserFactory(username="carol", roles=[Role.CR_MANAGER], stores=[store_a]))
    client.get(reverse("callbacks:daily_report"))  # session and permissions loaded once
    page, queries = _daily_page(client, day)
    assert "通话时长" in page and "0:02:05" in page and "0:00:30" in page and "0:16:39" not in page
    for n in range(4):  # more agents, with attempts or with talk time only
        someone = UserFactory(username=f"agent{n}", roles=[Role.CALLBACK_AGENT], stores=[store_a])
        other = SalesTaskFactory(delivery__store=store_a)
        CallAttempt.objects.create(task=other, agent=someone, at=local(2026, 10, 1, 11, n), disposition="成功")
        talker = UserFactory(username=f"talker{n}", display_name=f"接线{n}", stores=[store_a])
        call(store_a, talker, local(2026, 10, 1, 12, n), 60, f"talk-{n}")
    page, more = _daily_page(client, day)
    assert more == queries
    assert page.count("0:01:00") == 4 and "接线3" in page


def test_a_call_from_an_unknown_number_counts_in_the_agents_only_store(post_event, store_a, agent, frozen):
    AgentExtension.objects.create(user=agent, extension="8001")
    post_event(call_id="u1", event="answered", direction="in", extension="8001", number="13800000000")
    frozen.shift(90)
    post_event(call_id="u1", event="ended", direction="in", extension="8001", number="13800000000", duration=90)
    assert CallRecord.objects.get().store == store_a
    today = dt.date(2026, 3, 2)
    talk = talk_time_per_agent_day(store_ids=[store_a.pk], date_from=today, date_to=today)
    assert talk == {(agent.pk, today): 90}
