"""Telephone reads: who may listen to a call, the calls of a task, a customer and a complaint, the
agents' talk time, and the screen pop waiting for an agent."""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Case
from complaints.selectors import cases_for_user
from crm.models import User
from crm.scoping import scope_for_user
from telephony.attach import call_recorded_q
from telephony.choices import Direction
from telephony.models import CallRecord

POP_FRESH_FOR = dt.timedelta(minutes=15)
LISTEN_PERMISSION = "telephony.listen_recording"
CALL_LIST_LIMIT = 50
# What complaint_calls_filter reads of a case.
CASE_CALL_FIELDS = ("customer_id", "store_id", "received_at", "closed_at", "source_task_id")


def _with_people(qs: QuerySet[CallRecord]) -> QuerySet[CallRecord]:
    return qs.select_related("agent").order_by("-started_at", "-id")


def _with_unrecorded(qs: QuerySet[CallRecord]) -> QuerySet[CallRecord]:
    """`unrecorded` (通话未登记): an answered call on a task that has ended and has no attempt —
    neither linked yet nor recorded since by its agent (the attempt rule of telephony.attach). The
    sweep records unanswered calls only; what was said on an answered one is the agent's to record."""
    on_task = Q(callback_task__isnull=False) | Q(outreach_task__isnull=False)
    answered = Q(answered_at__isnull=False, ended_at__isnull=False, agent__isnull=False)
    unrecorded = answered & on_task & ~call_recorded_q()
    return qs.annotate(unrecorded=ExpressionWrapper(unrecorded, output_field=BooleanField()))


def complaint_calls_filter(case: Case) -> Q:
    """A complaint's related calls: those of the callback task it came from, and the customer's
    calls while the case was open (the handler's and the CR desk's follow-up calls)."""
    related = Q(customer_id=case.customer_id, started_at__gte=case.received_at)
    if case.closed_at:
        related &= Q(started_at__lte=case.closed_at)
    if case.source_task_id:
        related |= Q(callback_task_id=case.source_task_id)
    return related & Q(store_id=case.store_id)


def call_record_for_listening(*, user: User, pk: int) -> CallRecord:
    """The call whose recording `user` asks for, or 404: within the user's stores, and either the
    user may listen to calls (agents, CR manager, GM) or the call belongs to a complaint the user
    may see (the handler, the department manager, the consultant of that customer)."""
    record = scope_for_user(CallRecord.objects.all(), user).filter(pk=pk).first()
    if record is None:
        raise Http404
    if user.has_perm(LISTEN_PERMISSION):
        return record
    if record.customer_id is None or not user.has_perm("complaints.view_case"):
        raise Http404
    # The customer's cases the user may see (one query), then one EXISTS against any of them:
    # three queries whatever the number of cases.
    cases = cases_for_user(user=user).filter(customer_id=record.customer_id, store_id=record.store_id)
    related = [complaint_calls_filter(case) for case in cases.only(*CASE_CALL_FIELDS)]
    if related and CallRecord.objects.filter(reduce(operator.or_, related), pk=record.pk).exists():
        return record
    raise Http404


def calls_for_task(*, user: User, callback_task_id: int | None = None, outreach_task_id: int | None = None) -> list:
    qs = scope_for_user(CallRecord.objects.all(), user)
    if callback_task_id:
        qs = qs.filter(callback_task_id=callback_task_id)
    else:
        qs = qs.filter(outreach_task_id=outreach_task_id)
    return list(_with_unrecorded(_with_people(qs))[:CALL_LIST_LIMIT])


def calls_for_customer(*, user: User, customer_id: int) -> list:
    qs = scope_for_user(CallRecord.objects.filter(customer_id=customer_id), user)
    return list(_with_people(qs)[:CALL_LIST_LIMIT])


def calls_for_complaint(*, user: User, case: Case) -> list:
    """The case page has checked the user may see the case; its calls are heard through it."""
    return list(_with_people(CallRecord.objects.filter(complaint_calls_filter(case)))[:CALL_LIST_LIMIT])


# The key of talk time in the agent daily report's rows (callbacks.agent_day_figures).
TALK_TIME_FIGURE = "talk_seconds"


def talk_time_per_agent_day(
    *, store_ids: list[int] | None, date_from: dt.date, date_to: dt.date
) -> dict[tuple[int, dt.date], int]:
    """Talk time (通话时长, seconds) per (agent, local day of the answer): the summed durations of
    answered calls. One query."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = CallRecord.objects.filter(answered_at__gte=start, answered_at__lt=end, agent__isnull=False)
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    rows = (
        qs.annotate(day=TruncDate("answered_at", tzinfo=tz))
        .values("agent_id", "day")
        .annotate(seconds=Sum("duration_seconds"))
        .order_by()
    )
    return {(row["agent_id"], row["day"]): row["seconds"] or 0 for row in rows}


def call_pop_for(*, user: User, now: dt.datetime | None = None) -> CallRecord | None:
    """The newest inbound call the agent answered in the last minutes and has not opened yet. One query."""
    now = now or timezone.now()
    return (
        CallRecord.objects.filter(
            agent=user, direction=Direction.INBOUND, pop_seen_at__isnull=True, answered_at__gte=now - POP_FRESH_FOR
        )
        .select_related("customer")
        .order_by("-answered_at")
        .first()
    )


def format_talk_time(seconds: int | None) -> str:
    """Talk time as the reports show it: H:MM:SS."""
    seconds = int(seconds or 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def call_status_text(call: CallRecord) -> str:
    """A call as its row on the call pages and its timeline entry say it: its talk time once
    answered (H:MM:SS, as the reports count it), else not answered once ended, else in progress."""
    if call.answered_at:
        return _("通话 %(time)s") % {"time": format_talk_time(call.duration_seconds)}
    return _("未接通") if call.ended_at else _("进行中")
