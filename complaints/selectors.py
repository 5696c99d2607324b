"""Reads of complaint cases: the SLA colour in the database and the scoped lists."""

import datetime as dt

from django.db.models import Case as CaseWhen
from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from complaints.choices import FINISHED_STATES, EscalationLevel, SlaColour
from complaints.models import Case
from crm.models import User
from crm.scoping import scope_for_user

# Urgency rank of each colour, for sorting: red first, grey last.
COLOUR_RANK = {SlaColour.RED: 0, SlaColour.YELLOW: 1, SlaColour.WHITE: 2, SlaColour.GREY: 3}


def _colour_conditions(now: dt.datetime) -> dict[str, Q]:
    """THE colour rule (SPEC §8, seed 000), as WHERE clauses checked in this order: grey, red, yellow.

    Closed or unfounded: grey. Otherwise the first-contact interval, from received to the first
    contact or to `now` while there is none, against the stored warning (20 h) and due (24 h)
    times: from the deadline red, from the warning yellow, else white. Comparing with stored due
    times keeps the business-hours arithmetic out of the query."""
    contacted = Q(first_contact_at__isnull=False)
    return {
        SlaColour.GREY: Q(state__in=FINISHED_STATES),
        SlaColour.RED: (contacted & Q(first_contact_at__gte=F("first_contact_due_at")))
        | (~contacted & Q(first_contact_due_at__lte=now)),
        SlaColour.YELLOW: (contacted & Q(first_contact_at__gte=F("first_contact_warn_at")))
        | (~contacted & Q(first_contact_warn_at__lte=now)),
    }


def with_sla_colour(qs: QuerySet[Case], now: dt.datetime) -> QuerySet[Case]:
    """Annotate `sla_colour` (white/yellow/red/grey) and `sla_rank` (0 red … 3 grey, for sorting)."""
    conditions = _colour_conditions(now)
    return qs.annotate(
        sla_colour=CaseWhen(
            *(When(q, then=Value(colour.value)) for colour, q in conditions.items()),
            default=Value(SlaColour.WHITE.value),
            output_field=CharField(),
        ),
        sla_rank=CaseWhen(
            *(When(q, then=Value(COLOUR_RANK[colour])) for colour, q in conditions.items()),
            default=Value(COLOUR_RANK[SlaColour.WHITE]),
            output_field=IntegerField(),
        ),
    )


def case_colour_filter(colour: str, now: dt.datetime) -> Q:
    """A WHERE clause equivalent to `sla_colour == colour` that the planner can serve from the
    (state, first_contact_due_at) index when a list of tens of thousands is filtered to red."""
    conditions = _colour_conditions(now)
    not_before = Q()
    for candidate, q in conditions.items():
        if candidate == colour:
            return q & ~not_before if not_before else q
        not_before |= q
    return ~not_before


def cases_for_user(*, user: User) -> QuerySet[Case]:
    return scope_for_user(Case.objects.all(), user)


# --- lists and the case page ---------------------------------------------------------------------

LIST_VIEWS = ("all", "mine", "department", "escalations")


def case_list(*, user: User, view: str, now: dt.datetime, filters: dict | None = None) -> QuerySet[Case]:
    """A scoped, coloured list: all cases, my cases (handler or filer), the department inbox (cases
    of departments I manage), or the GM's escalations (open cases at level 3 or above)."""
    qs = with_sla_colour(cases_for_user(user=user), now).select_related("store", "customer", "department", "handler")
    if view == "mine":
        qs = qs.filter(Q(handler=user) | Q(created_by=user))
    elif view == "department":
        qs = qs.filter(department__manager=user)
    elif view == "escalations":
        qs = qs.filter(escalation_level__gte=EscalationLevel.GENERAL_MANAGER).exclude(state__in=FINISHED_STATES)
    filters = filters or {}
    if filters.get("colour"):
        qs = qs.filter(case_colour_filter(filters["colour"], now))
    for name in ("state", "level", "category", "channel", "department"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("received_from"):
        qs = qs.filter(received_at__date__gte=filters["received_from"])
    if filters.get("received_to"):
        qs = qs.filter(received_at__date__lte=filters["received_to"])
    if filters.get("sort") == "received":
        return qs.order_by("-received_at", "-id")
    if filters.get("colour"):
        # One colour: the rank is the same for every row, so the order is the oldest first — which
        # the open-cases index gives without computing and sorting the rank of thousands of rows.
        return qs.order_by("received_at", "id")
    # Red first, then yellow, white, grey; within a colour the oldest first (the most urgent).
    return qs.order_by("sla_rank", "received_at", "id")


def case_detail(*, user: User, pk: int, now: dt.datetime) -> Case:
    """One case within the user's stores (404 otherwise), coloured, with its links loaded."""
    from crm.scoping import get_scoped_or_404

    return get_scoped_or_404(
        with_sla_colour(Case.objects.all(), now).select_related(
            "store", "customer", "vehicle", "department", "handler", "repeat_of", "created_by"
        ),
        user,
        pk=pk,
    )


def case_events(*, case: Case) -> QuerySet:
    return case.events.select_related("actor").order_by("at", "id")


def case_clocks(*, case: Case, now: dt.datetime) -> list[dict]:
    """Every SLA clock of the case: label, due time, when it was met (or None) and its status —
    met / late / running / overdue."""
    rows = [
        (_("派发（30分钟）"), case.received_at, case.dispatch_due_at, case.dispatched_at),
        (_("首次联系预警（20小时）"), case.received_at, case.first_contact_warn_at, case.first_contact_at),
        (_("首次联系（24小时）"), case.received_at, case.first_contact_due_at, case.first_contact_at),
        (_("部门反馈（48小时）"), case.dispatched_at, case.feedback_due_at, case.feedback_at),
    ]
    clocks = []
    for label, start, due, done in rows:
        if due is None:
            status = "pending"
        elif done is not None:
            status = "met" if done < due else "late"
        elif case.state in FINISHED_STATES:
            status = "stopped"
        else:
            status = "running" if now < due else "overdue"
        clocks.append({"label": label, "start": start, "due": due, "done": done, "status": status})
    return clocks
