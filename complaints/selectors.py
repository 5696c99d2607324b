"""Reads of complaint cases: the SLA colour in the database and the scoped lists."""

import datetime as dt

from django.db.models import Case as CaseWhen
from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value, When

from complaints.choices import FINISHED_STATES, SlaColour
from complaints.models import Case
from crm.models import User
from crm.scoping import scope_for_user

# Sort rank of each colour (white first, grey last).
COLOUR_RANK = {SlaColour.WHITE: 0, SlaColour.YELLOW: 1, SlaColour.RED: 2, SlaColour.GREY: 3}


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
    """Annotate `sla_colour` (white/yellow/red/grey) and `sla_rank` (0–3, for sorting)."""
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
