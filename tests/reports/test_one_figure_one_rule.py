"""SPEC §9 "One figure, one rule", proven by construction: random months of callbacks and complaints,
and every figure shown in two places is equal.

- the dashboard's tiles = the 合计 rows of tables 7 and 8 (回访成功率 = 回访成功数 / 交车数, sales and
  service apart; successes and satisfaction counts), and both = SPEC §9 computed here by hand;
- the dashboard's SLA compliance = the monthly complaint report's, per clock, and both = SPEC §9's
  clock rule computed here by hand over the cases;
- the stored figures (StoreMonthFigures, what the page reads) = the live computation;
- a frozen package = the live dashboard and the live tables for the same data;
- the staff drill-down = that staff member's row of table 7 or 8, and its unhappy customers =
  its 不满意 + 抱怨 (a task that is both counted once);
- table 3's rows = tables 7 + 8's 回访未成功数, per bucket (callbacks.figures' one rule);
- the weekly callback report: each week's advisors = SPEC §9 by hand over the week's tasks, its 不满意客户
  = 不满意 + 抱怨 of the week (callbacks.figures.unhappy), and its list of them = that count;
- the quarterly complaint report's 受理 and 已完结, month by month = the dashboard's received and
  closed tiles of those months = the cases counted here by hand (another store's case in none);
- the dashboard's 未跳过的提醒 (this month and last) = the reminder report's 合计 of that column =
  the reminders not skipped, counted here by hand (the live figures and a frozen package alike).

Each example builds its month inside a transaction rolled back at the end; the clock is frozen, and
hypothesis runs derandomized so every run sees the same examples."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks.choices import Disposition, TaskState
from callbacks.figures import UNSUCCESSFUL_BUCKETS
from callbacks.models import CallbackTask
from complaints.choices import FINISHED_STATES, CaseState
from crm.periods import month_bounds
from crm.reporting import export_language, rate
from reports.dashboard import board as dashboard
from reports.dashboard import figures, kpis
from reports.packages.approval import report_package_generate
from reports.packages.snapshot import table_freeze
from reports.periods import period_months
from reports.registry import get_report
from reports.tables.callback_weekly import build_callbacks_weekly
from reports.tables.callbacks import build_unsuccessful_callbacks
from reports.tables.complaint_trends import complaint_trend_table
from reports.tables.complaints import complaints_monthly_rows
from reports.tables.reminders import build_reminder_summary
from reports.tables.satisfaction import ADVISORS, SALES, TEAMS, satisfaction_rows
from retention.choices import REMINDER_KINDS, ReminderChannel, ReminderStatus
from retention.models import Reminder
from tests.factories import CustomerFactory, DeliveryFactory
from tests.reports.builders import sales_task, service_task
from tests.reports.factories import make_case, sales_consultant, service_advisor

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONTH = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 10, 31, 20, 0, tzinfo=SHANGHAI)
CLOCKS = {"dispatch": dt.timedelta(minutes=30), "contact": dt.timedelta(hours=24), "feedback": dt.timedelta(hours=48)}

DUE_FIELD = {"dispatch": "dispatch_due_at", "contact": "first_contact_due_at", "feedback": "feedback_due_at"}

DISPOSITIONS = [d.value for d in Disposition]
SUCCESSES = [Disposition.SUCCESS.value, Disposition.SMS_REPLY.value]

# days from the month's start: -1 is the last day of September, 31 the first of November
SOURCE_DAYS = [-1, 0, 5, 17, 30, 31]
callback = st.fixed_dictionaries(
    {
        "staff": st.integers(0, 1),
        "state": st.sampled_from([s.value for s in TaskState]),
        "attempts": st.lists(st.sampled_from(DISPOSITIONS), max_size=3),
        "sms_sent": st.booleans(),
        "score": st.one_of(st.none(), st.integers(1, 10)),
        "window_ended": st.booleans(),
        "day": st.sampled_from(SOURCE_DAYS),
        "hour": st.sampled_from([0, 10, 23]),
        "refused": st.booleans(),  # sales: a customer who refused calls has a delivery and no task
        "grumble": st.booleans(),  # a successful callback that raised a hot alert (抱怨)
    }
)
# The Mondays of the weeks the callbacks' days fall in (Sep 28, Oct 5, Oct 12, Oct 26).
WEEKS = sorted({day - dt.timedelta(days=day.weekday()) for day in (MONTH + dt.timedelta(days=n) for n in SOURCE_DAYS)})
# minutes before NOW a case was received: within the dispatch target, within the first-contact
# target, within the feedback target, well inside the month, and in September (not counted)
RECEIVED_BEFORE = [10, 20 * 60, 40 * 60, 200 * 60, 600 * 60, 800 * 60]
complaint = st.fixed_dictionaries(
    {
        "received_before": st.sampled_from(RECEIVED_BEFORE),
        "state": st.sampled_from([s.value for s in CaseState]),
        # minutes after receipt of each event (None: not happened); capped at NOW below
        "dispatch": st.one_of(st.none(), st.sampled_from([5, 30, 45, 24 * 60])),
        "contact": st.one_of(st.none(), st.sampled_from([60, 24 * 60, 30 * 60])),
        "feedback": st.one_of(st.none(), st.sampled_from([10 * 60, 49 * 60, 80 * 60])),
        "closed": st.sampled_from([0, 15, 20 * 60, 60 * 60]),
    }
)
reminder = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(list(REMINDER_KINDS)),
        "status": st.sampled_from([s.value for s in ReminderStatus]),
        # send date, days from the month's start: September, October, November
        "day": st.sampled_from([-1, 0, 17, 30, 31]),
        "returned": st.booleans(),
    }
)
month_data = st.fixed_dictionaries(
    {
        "sales": st.lists(callback, max_size=7),
        "service": st.lists(callback, max_size=7),
        "complaints": st.lists(complaint, max_size=6),
        "reminders": st.lists(reminder, max_size=6),
    }
)


def _task_fields(spec: dict) -> dict:
    state = spec["state"]
    attempts = list(spec["attempts"])
    if state == TaskState.DONE:
        attempts.append(SUCCESSES[spec["staff"]])
    else:
        attempts = [a for a in attempts if a not in SUCCESSES]
    return {
        "state": state,
        "attempts": attempts,
        "sms_sent": spec["sms_sent"],
        "score": spec["score"] if state == TaskState.DONE else None,
        "closes": NOW - dt.timedelta(days=2) if spec["window_ended"] else NOW + dt.timedelta(days=2),
    }


def _source_day(spec: dict) -> dt.date:
    return MONTH + dt.timedelta(days=spec["day"])


def _unhappy_counts(task) -> dict:
    """SPEC §9's 不满意 (a success scored 1–5) and the hot-alert 抱怨 of one task, and both."""
    done = task is not None and task.state == TaskState.DONE
    dissatisfied = done and task.overall_score is not None and task.overall_score <= 5
    grumble = done and task.has_grumble
    return {"dissatisfied": int(dissatisfied), "grumbles": int(grumble), "both": int(dissatisfied and grumble)}


def build_callbacks(data: dict, consultants: list, advisors: list) -> dict:
    """Create the month's deliveries, ROs and tasks; return SPEC §9's counts per kind and staff, and
    the service callbacks' per week (Monday) and advisor."""
    expected = {"sales": {}, "service": {}, "weeks": {monday: {} for monday in WEEKS}}
    for kind, specs in (("sales", data["sales"]), ("service", data["service"])):
        for spec in specs:
            staff = (consultants if kind == "sales" else advisors)[spec["staff"]]
            day = _source_day(spec)
            fields = _task_fields(spec)
            if kind == "sales" and spec["refused"]:
                DeliveryFactory(store=staff.store, sales_consultant=staff, delivered_on=day)
                task = None
            elif kind == "sales":
                task = sales_task(store=staff.store, consultant=staff, delivered_on=day, **fields)
            else:
                at = dt.datetime.combine(day, dt.time(spec["hour"], 30), SHANGHAI)
                task = service_task(store=staff.store, advisor=staff, delivered_at=at, **fields)
            if task is not None and task.state == TaskState.DONE and spec["grumble"]:
                CallbackTask.objects.filter(pk=task.pk).update(has_grumble=True)
                task.has_grumble = True
            unhappy = _unhappy_counts(task)
            if kind == "service":
                week = expected["weeks"][day - dt.timedelta(days=day.weekday())]
                mine = week.setdefault(staff.pk, {"delivered": 0, "success": 0, "ros": set()})
                mine["delivered"] += 1
                mine["success"] += task.state == TaskState.DONE
                for name, n in unhappy.items():
                    mine[name] = mine.get(name, 0) + n
                if unhappy["dissatisfied"] or unhappy["grumbles"]:
                    mine["ros"].add(task.repair_order.ro_no)
            if day.replace(day=1) != MONTH:
                continue
            row = expected[kind].setdefault(
                staff.pk, {"delivered": 0, "success": 0, "fully": 0, "dissatisfied": 0, "grumbles": 0, "both": 0}
            )
            row["delivered"] += 1
            if task is not None and task.state == TaskState.DONE:
                row["success"] += 1
                row["fully"] += bool(task.overall_score and task.overall_score >= 8)
            for name, n in unhappy.items():
                row[name] += n
    return expected


def build_complaints(data: dict, store) -> dict:
    """Create the cases; return SPEC §9's met / late per clock over those received in MONTH, and
    the cases received and closed per month (local time) of receipt."""
    expected = {f"{clock}_{n}": 0 for clock in CLOCKS for n in ("met", "late")}
    expected["received"], expected["closed"] = {}, {}
    for spec in data["complaints"]:
        received = NOW - dt.timedelta(minutes=spec["received_before"])

        def happened(minutes, received=received):
            at = received + dt.timedelta(minutes=minutes) if minutes is not None else None
            return at if at is not None and at <= NOW else None

        dispatched = happened(spec["dispatch"])
        contacted = happened(spec["contact"])
        feedback = happened(spec["feedback"]) if dispatched else None
        finished = spec["state"] in FINISHED_STATES
        closed = (happened(spec["closed"]) or received) if finished else None
        times = {
            "state": spec["state"],
            "dispatched_at": dispatched,
            "first_contact_at": contacted,
            "feedback_at": feedback,
            "closed_at": closed,
            "dispatch_due_at": received + CLOCKS["dispatch"],
            "first_contact_due_at": received + CLOCKS["contact"],
            "feedback_due_at": dispatched + CLOCKS["feedback"] if dispatched else None,
        }
        make_case(store=store, received_at=received, **times)
        month = received.astimezone(SHANGHAI).date().replace(day=1)
        expected["received"][month] = expected["received"].get(month, 0) + 1
        expected["closed"][month] = expected["closed"].get(month, 0) + finished
        if received < dt.datetime.combine(MONTH, dt.time(), SHANGHAI):
            continue
        for clock, event in (("dispatch", dispatched), ("contact", contacted), ("feedback", feedback)):
            due = times[
                {"dispatch": "dispatch_due_at", "contact": "first_contact_due_at"}.get(clock, "feedback_due_at")
            ]
            if due is None:
                continue  # never started
            stopped = event or closed
            if stopped is not None:
                expected[f"{clock}_{'met' if stopped < due else 'late'}"] += 1
            elif due <= NOW:
                expected[f"{clock}_late"] += 1
    return expected


def build_reminders(data: dict, store) -> dict[dt.date, int]:
    """Create the reminders; return the ones not skipped per month of send date."""
    customer = CustomerFactory(store=store)
    made: dict[dt.date, int] = {}
    for i, spec in enumerate(data["reminders"]):
        send_on = MONTH + dt.timedelta(days=spec["day"])
        skipped = spec["status"] == ReminderStatus.SKIPPED
        Reminder.objects.create(
            store=store,
            customer=customer,
            kind=spec["kind"],
            due_on=dt.date(2027, 1, 1) + dt.timedelta(days=i),
            send_on=send_on,
            channel=ReminderChannel.SMS,
            status=spec["status"],
            returned_on=send_on + dt.timedelta(days=10) if spec["returned"] and not skipped else None,
        )
        made[send_on.replace(day=1)] = made.get(send_on.replace(day=1), 0) + (not skipped)
    return made


@pytest.fixture
def staff(store_a):
    return (
        [sales_consultant(store_a, "赵销售"), sales_consultant(store_a, "钱销售")],
        [service_advisor(store_a, "孙顾问"), service_advisor(store_a, "李顾问")],
    )


def live_trend(store_ids: list[int], month: dt.date) -> list[dict]:
    """The dashboard's twelve months up to `month`, computed now."""
    return figures.dashboard_figures(store_ids=store_ids, month=month, now=NOW)["trend"]


def _kpi_tiles(store_ids: list[int]) -> dict:
    return kpis.kpis_from_counts(figures.dashboard_figures(store_ids=store_ids, month=MONTH, now=NOW)["trend"][-1])


def _live_frozen(name: str, store_id: int) -> dict:
    with export_language():
        return table_freeze(get_report(name).build(store_ids=[store_id], month=MONTH, full_numbers=False))


@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=month_data)
def test_every_figure_shown_twice_is_equal(data, store_a, store_b, staff):
    consultants, advisors = staff
    store_ids = [store_a.pk]
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        expected = build_callbacks(data, consultants, advisors)
        expected_sla = build_complaints(data, store_a)
        expected_made = build_reminders(data, store_a)
        # another store's case and reminder: in none of store A's figures
        make_case(store=store_b, received_at=NOW - dt.timedelta(hours=1))
        elsewhere = {"kind": REMINDER_KINDS[0], "status": ReminderStatus.NEW, "day": 0, "returned": False}
        build_reminders({"reminders": [elsewhere]}, store_b)
        tiles = _kpi_tiles(store_ids)

        # Tables 7 and 8, their 合计 rows, and SPEC §9 by hand.
        tables, totals = {}, {}
        for kind, grouping in (("sales", SALES), ("service", ADVISORS)):
            rows, total = satisfaction_rows(grouping, store_ids=store_ids, month=MONTH, now=NOW)
            tables[kind], totals[kind] = {row["gid"]: row for row in rows}, total
            mine = expected[kind].values()
            delivered, success = sum(r["delivered"] for r in mine), sum(r["success"] for r in mine)
            assert (total["delivered"], total["success"]) == (delivered, success)
            assert total["fully"] == sum(r["fully"] for r in mine)
            assert total["success_rate"] == rate(success, delivered)
            assert tiles[f"{kind}_success_rate"] == total["success_rate"]
            assert tiles[f"{kind}_successes"] == total["success"]
            assert tiles[f"{kind}_full"] == total["fully"]
            assert tiles[f"{kind}_full_rate"] == total["fully_rate"]
        team_total = satisfaction_rows(TEAMS, store_ids=store_ids, month=MONTH, now=NOW)[1]
        assert team_total["success_rate"] == tiles["service_success_rate"]
        assert (team_total["delivered"], team_total["success"]) == (
            sum(r["delivered"] for r in expected["service"].values()),
            sum(r["success"] for r in expected["service"].values()),
        )
        # Table 3 (one row per unsuccessful callback) = tables 7 + 8's 回访未成功数, bucket by bucket
        # (callbacks.figures: one rule for both).
        with export_language():
            table3 = list(build_unsuccessful_callbacks(store_ids=store_ids, month=MONTH).rows)
        assert len(table3) == totals["sales"]["unsuccessful"] + totals["service"]["unsuccessful"]
        for bucket in UNSUCCESSFUL_BUCKETS:
            shown = sum(row["reason"] == str(bucket.label) for row in table3)
            assert shown == totals["sales"][bucket.value] + totals["service"][bucket.value], bucket
        both_delivered = sum(r["delivered"] for k in ("sales", "service") for r in expected[k].values())
        both_success = sum(r["success"] for k in ("sales", "service") for r in expected[k].values())
        assert tiles["success_rate"] == rate(both_success, both_delivered)

        # SLA compliance: the dashboard, the monthly complaint report and SPEC §9 by hand.
        start, end = month_bounds(MONTH)
        report_rows, _received = complaints_monthly_rows(store_ids=store_ids, start=start, end=end)
        sla_rows = [r for r in report_rows if r["section"] == "时效达成"]
        for row, clock in zip(sla_rows, ("dispatch", "contact", "feedback"), strict=True):
            met, late = expected_sla[f"{clock}_met"], expected_sla[f"{clock}_late"]
            assert (row["count"], row["base"]) == (met, met + late), clock
            assert row["share"] == tiles[f"sla_{clock}_rate"] == rate(met, met + late), clock
        all_met = sum(expected_sla[f"{c}_met"] for c in CLOCKS)
        assert tiles["sla_rate"] == rate(all_met, all_met + sum(expected_sla[f"{c}_late"] for c in CLOCKS))

        # The stored figures (what the page reads) = the live computation.
        figures.store_month_figures_refresh(store_ids=store_ids, first=MONTH, last=MONTH, now=NOW)
        stored = figures.stored_figures(store_ids=store_ids, month=MONTH, now=NOW)
        live = figures.dashboard_figures(store_ids=store_ids, month=MONTH, now=NOW)
        assert stored["trend"][-1] == live["trend"][-1]
        assert stored["staff"] == live["staff"]

        # A frozen package = the live dashboard and the live tables.
        package = report_package_generate(store=store_a, month=MONTH, user=None, now=NOW)
        assert kpis.kpis_from_counts(package.figures["trend"][-1]) == tiles
        frozen = {table["name"]: table for table in package.tables}
        for name in ("sc_satisfaction", "sa_satisfaction", "team_satisfaction", "complaints_monthly"):
            assert frozen[name] == _live_frozen(name, store_a.pk), name

        # The staff drill-down = the person's row of table 7 / 8.
        for kind, people in (("sales", consultants), ("service", advisors)):
            for person in people:
                summary = dashboard.staff_month_summary(staff=person, kind=kind, month=MONTH, now=NOW)
                row = tables[kind].get(person.pk)
                if row is None:
                    assert summary["row"] is None
                    continue
                mine = summary["row"]
                assert (mine["delivered"], mine["successes"], mine["full"]) == (
                    row["delivered"],
                    row["success"],
                    row["fully"],
                )
                assert kpis.success_rate(mine) == row["success_rate"]
                assert summary["full_rate"] == row["fully_rate"]
                # its unhappy customers (callbacks.figures.unhappy) = 不满意 + 抱怨, each task once
                hand = expected[kind][person.pk]
                assert (mine["dissatisfied"], mine["grumbles"]) == (hand["dissatisfied"], hand["grumbles"])
                unhappy = dashboard.staff_month_unhappy_tasks(staff=person, kind=kind, month=MONTH).count()
                assert unhappy == mine["dissatisfied"] + mine["grumbles"] - hand["both"]

        # The weekly callback report: table 8's rule over each week, SPEC §9 by hand; its 不满意客户
        # = 不满意 + 抱怨 of the week (a task that is both once), and its list holds exactly them.
        for monday in WEEKS:
            weekly, unhappy_list = build_callbacks_weekly(store_ids=store_ids, day=monday, now=NOW)
            rows = {row["gid"]: row for row in weekly.rows}
            hand = expected["weeks"][monday]
            assert set(rows) == set(hand), monday
            for pk, mine in hand.items():
                row = rows[pk]
                assert (row["delivered"], row["success"], row["dissatisfied"]) == (
                    mine["delivered"],
                    mine["success"],
                    mine["dissatisfied"],
                )
                assert row["success_rate"] == rate(mine["success"], mine["delivered"])
                assert row["unhappy"] == mine["dissatisfied"] + mine["grumbles"] - mine["both"]
            assert weekly.total_row["unhappy"] == len(unhappy_list.rows) == sum(r["unhappy"] for r in rows.values())
            assert {row["ro_no"] for row in unhappy_list.rows} == set().union(*(m["ros"] for m in hand.values()))

        # The quarterly complaint report's 受理 and 已完结, month by month (Q3 and Q4) = the
        # dashboard's received and closed tiles of the same months and stores = the cases by hand.
        year = {e["month"]: kpis.kpis_from_counts(e) for e in live_trend(store_ids, dt.date(2026, 12, 1))}
        for quarter in (dt.date(2026, 9, 1), MONTH):
            months = period_months("quarter", quarter)
            table = complaint_trend_table("quarter", store_ids=store_ids, month=quarter, now=NOW)
            by_key = {row["key"]: row for row in table.rows}
            for i, month in enumerate(months):
                shown = year[kpis.month_key(month)]
                assert by_key[("received",)][f"m{i}"] == shown["complaints_received"]
                assert by_key[("received",)][f"m{i}"] == expected_sla["received"].get(month, 0), month
                assert by_key[("closed",)][f"m{i}"] == shown["complaints_closed"]
                assert by_key[("closed",)][f"m{i}"] == expected_sla["closed"].get(month, 0), month

        # The dashboard's 未跳过的提醒 (this month and last) = the reminder report's 合计 of that
        # column = the reminders not skipped by hand; a frozen package shows the same.
        retention = dashboard.present(live)["retention"]
        frozen_retention = dashboard.present(package.figures)["retention"]
        for shown, frozen, month in (
            (retention["current"], frozen_retention["current"], MONTH),
            (retention["previous"], frozen_retention["previous"], dt.date(2026, 9, 1)),
        ):
            report = build_reminder_summary(store_ids=store_ids, month=month)
            assert shown["made"] == report.total_row["made"] == expected_made.get(month, 0), month
            assert shown["skipped"] == report.total_row["skipped"], month
            assert frozen["made"] == shown["made"], month

        transaction.set_rollback(True)
