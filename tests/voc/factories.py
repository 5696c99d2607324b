"""Factories of the VOC tests: verbatims recorded the way the app records them (a questionnaire's Q11,
a call note, a complaint), then tagged by the service."""

import datetime as dt

from callbacks.choices import CallbackKind, Disposition
from callbacks.models import CallAttempt
from crm.choices import StaffRole
from tests.factories import CustomerFactory, StaffFactory
from tests.reports.factories import answer_tasks_bulk, make_case, make_task

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OVERALL = {CallbackKind.SALES: "Q0", CallbackKind.SERVICE: "Q1"}


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def suggestion(*, store, text: str, source: dt.datetime, staff=None, kind=CallbackKind.SERVICE, customer=None):
    """A successful callback whose Q11 (意见或建议) is `text`; answered four days after `source`."""
    role = StaffRole.SALES_CONSULTANT if kind == CallbackKind.SALES else StaffRole.SERVICE_ADVISOR
    staff = staff or StaffFactory(store=store, role=role)
    task = make_task(staff=staff, kind=kind, source=source, score=9, customer=customer)
    answer_tasks_bulk([task], lambda _i: {OVERALL[kind]: 9, "Q11": text})
    return task


def call_note(*, store, text: str, at: dt.datetime, staff=None):
    staff = staff or StaffFactory(store=store, role=StaffRole.SERVICE_ADVISOR)
    task = make_task(staff=staff, source=at - dt.timedelta(days=4), state="open")
    return CallAttempt.objects.create(task=task, at=at, disposition=Disposition.NO_ANSWER, note=text)


def complaint(*, store, content: str, demand: str = "", received_at: dt.datetime, customer=None):
    case = make_case(store=store, customer=customer or CustomerFactory(store=store), received_at=received_at)
    case.content, case.demand = content, demand
    case.save(update_fields=["content", "demand"])
    return case
