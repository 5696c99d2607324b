"""Reads of complaint cases: the SLA colour in the database and the scoped lists."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from complaints.choices import FINISHED_STATES, CaseState, Category, Channel, EscalationLevel, SlaColour
from complaints.models import Case, CaseAttachment
from crm.choices import DepartmentKind, Role
from crm.models import Delivery, Department, RepairOrder, User
from crm.reporting import rate
from crm.scoping import is_group_level, scope_for_user
from crm.search import SECTION_ROWS, SearchHit, SearchSection

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


# --- SLA compliance (SPEC §9 "One figure, one rule") ------------------------------------------------

# Each clock: (its event, its due time). The due time is stored when the clock starts (received for
# dispatch and first contact, dispatch for feedback): a clock with no due time never started.
SLA_CLOCKS = {
    "dispatch": ("dispatched_at", "dispatch_due_at"),
    "contact": ("first_contact_at", "first_contact_due_at"),
    "feedback": ("feedback_at", "feedback_due_at"),
}


def case_closed_filter(prefix: str = "") -> Q:
    """THE rule of a finished case (已完结 or 不成立): the dashboard's "closed" tile and the
    monthly report's 已完结 row."""
    return Q(**{f"{prefix}state__in": FINISHED_STATES})


def sla_clock_filters(clock: str, now: dt.datetime) -> tuple[Q, Q]:
    """(met, late) of one clock of a case (SPEC §9). The clock stops at its event or, failing that,
    when the case was closed or found unfounded (`closed_at` of a finished case); met = it stopped
    before its due time (the colour rule's boundary: at the due time it is red); late = it stopped
    at or after it, or is still running at or past it. A clock running within its target, or one
    that never started (no due time: feedback of a case never dispatched), is neither."""
    event, due = SLA_CLOCKS[clock]
    started = Q(**{f"{due}__isnull": False})
    by_event = Q(**{f"{event}__isnull": False})
    by_close = Q(**{f"{event}__isnull": True, "closed_at__isnull": False}) & case_closed_filter()
    running = Q(**{f"{event}__isnull": True}) & ~(Q(closed_at__isnull=False) & case_closed_filter())
    met = started & ((by_event & Q(**{f"{event}__lt": F(due)})) | (by_close & Q(closed_at__lt=F(due))))
    late = started & (
        (by_event & Q(**{f"{event}__gte": F(due)}))
        | (by_close & Q(closed_at__gte=F(due)))
        | (running & Q(**{f"{due}__lte": now}))
    )
    return met, late


def sla_counts(now: dt.datetime) -> dict[str, Count]:
    """THE SLA compliance counters of a set of cases, as aggregates for `aggregate()` or a GROUP BY
    `annotate()`: `<clock>_met` and `<clock>_late` for dispatch, contact and feedback. The dashboard
    (reports.dashboard.kpis) and the monthly complaint report (complaints.reports) both count with these;
    compliance = met / (met + late) (`sla_compliance`)."""
    counts = {}
    for clock in SLA_CLOCKS:
        met, late = sla_clock_filters(clock, now)
        counts[f"{clock}_met"] = Count("id", filter=met)
        counts[f"{clock}_late"] = Count("id", filter=late)
    return counts


def sla_compliance(counts: dict, clock: str | None = None) -> float | None:
    """met / (met + late) of one clock, or of the three together when `clock` is None; None when
    no clock was counted."""
    clocks = [clock] if clock else list(SLA_CLOCKS)
    met = sum(counts[f"{c}_met"] for c in clocks)
    late = sum(counts[f"{c}_late"] for c in clocks)
    return rate(met, met + late)


# Roles that see every complaint of their stores. A sales consultant / service advisor with none of
# them sees only the complaints of their own customers and those handed to them (SPEC §1).
STORE_WIDE_CASE_ROLES = (
    Role.CALLBACK_AGENT,
    Role.RECEPTION,
    Role.CR_MANAGER,
    Role.DEPARTMENT_MANAGER,
    Role.GENERAL_MANAGER,
    Role.ADMINISTRATOR,
)


def sees_own_cases_only(user: User) -> bool:
    return user.has_role(Role.CONSULTANT) and not user.has_role(*STORE_WIDE_CASE_ROLES) and not is_group_level(user)


def own_cases_filter(user: User) -> Q:
    """A consultant's complaints: handled by them, or about a customer whose delivery (as sales
    consultant) or repair order (as service advisor) names their linked Staff record. A consultant
    without a Staff record has only the cases handed to them."""
    own_customer = Exists(
        Delivery.objects.filter(customer=OuterRef("customer_id"), sales_consultant__user=user)
    ) | Exists(RepairOrder.objects.filter(customer=OuterRef("customer_id"), service_advisor__user=user))
    return Q(handler=user) | Q(own_customer)


def cases_for_user(*, user: User) -> QuerySet[Case]:
    """THE cases a user may see: the user's stores (crm.scoping), and for a consultant only their own."""
    qs = scope_for_user(Case.objects.all(), user)
    return qs.filter(own_cases_filter(user)) if sees_own_cases_only(user) else qs


# --- lists and the case page ---------------------------------------------------------------------

LIST_VIEWS = ("all", "mine", "department", "escalations")
# What a list row shows (`CaseRow`): the 50 rows of a page load these columns only.
LIST_COLUMNS = (
    "case_no",
    "is_repeat",
    "received_at",
    "category",
    "level",
    "channel",
    "state",
    "escalation_level",
    "customer__name",
    "department__kind",
    "handler__username",
    "handler__display_name",
)


_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def case_text_filter(query: str) -> Q | None:
    """The cases a typed text finds: part of the 受理编号 (`LA20261124-001`, `1124-001`) or the
    beginning of the customer's name (`张`). None: the text cannot match a case (too short)."""
    text = re.sub(r"\s", "", query or "").upper()
    if _CJK_RE.search(text):
        return Q(customer__name__startswith=text)
    if len(text) >= 3:
        return Q(case_no__contains=text)
    return None


def case_list(*, user: User, view: str, now: dt.datetime, filters: dict | None = None) -> QuerySet[Case]:
    """A scoped, coloured list: all cases, my cases (handler or filer), the department inbox (cases
    of departments I manage), or the GM's escalations (open cases at level 3 or above)."""
    filters = filters or {}
    colour = filters.get("colour")
    qs = cases_for_user(user=user).select_related("customer", "department", "handler").only(*LIST_COLUMNS)
    if colour:
        # Filtered to one colour, every row has it: no need to compute the colour of each.
        qs = qs.filter(case_colour_filter(colour, now)).annotate(
            sla_colour=Value(SlaColour(colour).value), sla_rank=Value(COLOUR_RANK[colour])
        )
    else:
        qs = with_sla_colour(qs, now)
    if view == "mine":
        qs = qs.filter(Q(handler=user) | Q(created_by=user))
    elif view == "department":
        qs = qs.filter(department__manager=user)
    elif view == "escalations":
        qs = qs.filter(escalation_level__gte=EscalationLevel.GENERAL_MANAGER).exclude(state__in=FINISHED_STATES)
    if filters.get("q"):
        text = case_text_filter(filters["q"])
        qs = qs.filter(text) if text is not None else qs.none()
    for name in ("state", "level", "category", "channel", "department"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("received_from"):
        qs = qs.filter(received_at__date__gte=filters["received_from"])
    if filters.get("received_to"):
        qs = qs.filter(received_at__date__lte=filters["received_to"])
    if filters.get("sort") == "received":
        return qs.order_by("-received_at", "-id")
    if colour:
        # One colour: the rank is the same for every row, so the order is the oldest first — which
        # the open-cases index gives without computing and sorting the rank of thousands of rows.
        return qs.order_by("received_at", "id")
    # Red first, then yellow, white, grey; within a colour the oldest first (the most urgent).
    return qs.order_by("sla_rank", "received_at", "id")


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One row of a case list, every cell a ready value."""

    pk: int
    url: str
    case_no: str
    is_repeat: bool
    received_at: str
    customer: str
    category: str
    level: str
    channel: str
    department: str
    handler: str
    state: str
    escalation_level: int
    colour: str
    colour_label: str


def case_list_rows(*, cases: Iterable[Case]) -> list[CaseRow]:
    """The cells of a page of `case_list` (cases with `sla_colour`). Each choice's labels are
    translated once per page: a model's `get_FOO_display` rebuilds and translates its choices on
    every call, four times a row."""
    labels = {
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("category", Category.choices),
            ("channel", Channel.choices),
            ("state", CaseState.choices),
            ("department", DepartmentKind.choices),
            ("colour", SlaColour.choices),
        )
    }
    url_head, url_tail = case_url_parts()
    return [
        CaseRow(
            pk=case.pk,
            url=f"{url_head}{case.pk}{url_tail}",
            case_no=case.case_no,
            is_repeat=case.is_repeat,
            received_at=timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M"),
            customer=case.customer.name,
            category=labels["category"].get(case.category, case.category),
            level=case.level,
            channel=labels["channel"].get(case.channel, case.channel),
            department=labels["department"].get(case.department.kind, case.department.kind) if case.department else "—",
            handler=str(case.handler) if case.handler else "—",
            state=labels["state"].get(case.state, case.state),
            escalation_level=case.escalation_level,
            colour=case.sla_colour,
            colour_label=labels["colour"][case.sla_colour],
        )
        for case in cases
    ]


def case_url_parts() -> tuple[str, str]:
    """The case page's URL before and after the pk: reversed once for a whole list, not per case."""
    marker = 987654321
    head, tail = reverse("complaints:case_detail", args=[marker]).split(str(marker))
    return head, tail


def department_choices(*, user: User) -> list[tuple[int, str]]:
    """(id, name) of the departments of the user's stores, for a filter: one query of tuples."""
    departments = scope_for_user(Department.objects.all(), user).order_by("store", "kind")
    return [
        (pk, Department.name_for(store_name=store_name, kind=kind))
        for pk, store_name, kind in departments.values_list("pk", "store__name", "kind")
    ]


def case_detail(*, user: User, pk: int, now: dt.datetime) -> Case:
    """One case within the user's stores (404 otherwise), coloured, with its links loaded."""
    qs = with_sla_colour(cases_for_user(user=user), now).select_related(
        "store", "customer", "vehicle", "department", "handler", "repeat_of", "created_by", "complained_staff"
    )
    try:
        return qs.get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def case_attachment(*, user: User, case_id: int, attachment_id: int) -> CaseAttachment:
    """One attachment of a case the user may see (cases_for_user: store scope, a consultant's own
    cases); anything else is a 404, never a 403 that says the file exists."""
    try:
        return CaseAttachment.objects.select_related("case").get(
            pk=attachment_id, case_id=case_id, case__in=cases_for_user(user=user)
        )
    except CaseAttachment.DoesNotExist as exc:
        raise Http404 from exc


FACT_FIELDS = ("fact_when", "fact_where", "fact_what", "fact_view", "fact_basis", "fact_why", "fact_how_much")


def case_facts(*, case: Case) -> list[tuple[str, str]]:
    """The 5W2H facts recorded at intake, as (label, text), the empty ones left out."""
    return [
        (str(Case._meta.get_field(name).verbose_name), getattr(case, name))
        for name in FACT_FIELDS
        if getattr(case, name).strip()
    ]


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


def complaint_search_section(user: User, query: str) -> SearchSection | None:
    """The navbar search's complaints (crm.search): one query, the 10 latest cases found."""
    if not user.has_perm("complaints.view_case"):
        return None
    text = case_text_filter(query)
    cases = []
    if text is not None:
        cases = list(
            cases_for_user(user=user)
            .filter(text)
            .select_related("customer")
            .only("case_no", "received_at", "state", "customer__name")
            .order_by("-received_at", "-id")[:SECTION_ROWS]
        )
    states = dict(CaseState.choices)
    url_head, url_tail = case_url_parts()
    hits = [
        SearchHit(
            title=case.case_no,
            url=f"{url_head}{case.pk}{url_tail}",
            detail=f"{case.customer.name} · {timezone.localtime(case.received_at):%Y-%m-%d}",
            badge=str(states.get(case.state, case.state)),
        )
        for case in cases
    ]
    more = f"{reverse('complaints:case_list')}?{urlencode({'q': query})}"
    return SearchSection(
        key="complaints", title=_("投诉"), icon="exclamation-octagon", order=20, hits=hits, more_url=more
    )
