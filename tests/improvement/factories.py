"""Factories of the improvement app's tests: meetings, actions, answered callbacks."""

import datetime as dt

from callbacks.choices import CallbackKind
from crm.choices import Role, StaffRole
from improvement import services
from tests.factories import StaffFactory, UserFactory
from tests.reports.factories import answer_tasks_bulk, make_task

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OVERALL = {CallbackKind.SALES: "Q0", CallbackKind.SERVICE: "Q1"}


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def answered(*, store, kind: str, source: dt.datetime, code: str, value, staff=None):
    """One successful callback of `kind` whose source event is `source`, answering `code` with `value`."""
    role = StaffRole.SALES_CONSULTANT if kind == CallbackKind.SALES else StaffRole.SERVICE_ADVISOR
    staff = staff or StaffFactory(store=store, role=role)
    task = make_task(staff=staff, kind=kind, source=source, score=9)
    answer_tasks_bulk([task], lambda _i: {OVERALL[kind]: 9, code: value})
    return task


def meeting(*, store, held_on: dt.date, chair=None):
    chair = chair or UserFactory(roles=[Role.CR_MANAGER], stores=[store])
    return services.meeting_create(store=store, user=chair, held_on=held_on, attendees="经理们", minutes="")


def action(*, meeting, kind="service", code="Q9", due_on=None, decision_month=None):
    return services.eqc_action_create(
        meeting=meeting,
        kind=kind,
        code=code,
        cause_analysis="原因",
        measure="措施",
        owner="服务经理",
        due_on=due_on or meeting.held_on + dt.timedelta(days=30),
        decision_month=decision_month,
    )
