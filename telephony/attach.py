"""What a call is attached to (the rule of issue 16 item 2), decided once when its first event arrives.

1. The dial request. A click-to-call leaves a DialRequest naming the page's task (a callback
   CallbackTask or a retention OutreachTask) and customer. An event finds it by `client_ref` (our
   request id, sent to the CTI), else by the CTI's call id the backend returned, else — an outbound
   call only — as the latest request of that extension to that number in the last 30 minutes.
2. The agent's claimed task. A call the agent dialled on the handset (or an inbound call from a
   customer the agent is working on) goes to the open task the agent holds (claimed_by) whose
   customer has that number: a callback task first, then an outreach task.
3. The customer alone. Otherwise the call is the customer's whose mobile or landline it is, within
   the agent's stores when the extension is known, the most recently updated when several share it.
   We never guess across stores: when the customers with that number belong to more than one of the
   stores searched (no agent known — a call ringing on a queue — or a group-level agent), the call
   has no customer; the agent finds him from the pop's search. An unknown number leaves a call with
   no customer.
4. The store. The task's, the dial request's or the customer's store; else, with no customer, the
   agent's store when the agent belongs to exactly one (so the store's talk time counts a call from
   an unknown number); else none (only group-level users see the call).

Every rule stays within the stores of the API client that reported the event (`store_ids`, the
CTI's client: api.views.telephony): another store's dial request, task, customer or agent is
never found, as another store's ids are a 404 on every endpoint.

The agent is the extension's. The "answered" event decides it: an inbound call ringing on a queue
(no extension) or at another extension belongs to the agent who picked it up, and a call attached
by rule 2 or 3 is attached again for that agent (services._apply_event).

The attempt comes later: the agent records the attempt when the call is over, so a call's attempt
is the first one the same agent records on the same task at or after the call began
(`call_records_link_attempts`, run at hang-up and by a beat sweep). Several calls may share one
attempt (two unanswered dials, then one 无人接听 recorded). Unanswered calls the agent never
records get their failed attempt from another beat (services.call_records_record_unanswered).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from callbacks.choices import TaskState
from callbacks.models import CallAttempt, CallbackTask
from crm.models import Customer, Store, User
from crm.scoping import scope_for_user, user_store_ids
from retention.choices import OutreachState
from retention.models import OutreachAttempt, OutreachTask
from telephony.choices import Direction
from telephony.models import AgentExtension, DialRequest

DIAL_MATCH_WINDOW = dt.timedelta(minutes=30)


@dataclass
class CallSubject:
    agent: User | None = None
    store: Store | None = None
    customer: Customer | None = None
    dial_request: DialRequest | None = None
    callback_task: CallbackTask | None = None
    outreach_task: OutreachTask | None = None


def _number_q(number: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}mobile": number}) | Q(**{f"{prefix}landline": number})


def _within(qs: QuerySet, store_ids: frozenset[int] | None, field: str = "store_id") -> QuerySet:
    return qs if store_ids is None else qs.filter(**{f"{field}__in": store_ids})


def find_dial_request(
    *,
    client_ref: str,
    call_id: str,
    direction: str,
    extension: str,
    number: str,
    at: dt.datetime,
    store_ids: frozenset[int] | None = None,
) -> DialRequest | None:
    qs = _within(
        DialRequest.objects.select_related("user", "customer", "store", "callback_task", "outreach_task"), store_ids
    )
    if client_ref.isdigit():
        found = qs.filter(pk=int(client_ref)).first()
        if found is not None:
            return found
    found = qs.filter(call_id=call_id).exclude(call_id="").first()
    if found is not None or direction != Direction.OUTBOUND or not extension or not number:
        return found
    return (
        qs.filter(extension=extension, number=number, requested_at__gte=at - DIAL_MATCH_WINDOW, requested_at__lte=at)
        .order_by("-requested_at", "-id")
        .first()
    )


def agent_for_extension(extension: str, store_ids: frozenset[int] | None = None) -> User | None:
    """The extension's user; within `store_ids`, only one who works in one of them (a group-level
    user works in all)."""
    if not extension:
        return None
    row = AgentExtension.objects.select_related("user").filter(extension=extension).first()
    if row is None:
        return None
    agent_stores = user_store_ids(row.user)
    if store_ids is not None and agent_stores is not None and not agent_stores & store_ids:
        return None
    return row.user


def customer_for_number(*, number: str, agent: User | None, store_ids: frozenset[int] | None = None) -> Customer | None:
    """Rule 3: the customer with that number in the agent's stores; None when unknown, or when the
    customers with that number belong to several of the stores searched (we refuse to guess)."""
    if not number:
        return None
    qs = _within(Customer.objects.filter(_number_q(number)), store_ids)
    if agent is not None:
        qs = scope_for_user(qs, agent)
    if len(set(qs.values_list("store_id", flat=True).order_by().distinct()[:2])) != 1:
        return None
    return qs.select_related("store").order_by("-updated_at", "-id").first()


def agent_only_store_id(agent: User | None, store_ids: frozenset[int] | None = None) -> int | None:
    """Rule 4: the agent's store when the agent belongs to exactly one (of the client's stores)."""
    agent_stores = user_store_ids(agent) if agent is not None else None
    if agent_stores is None or len(agent_stores) != 1:
        return None
    only = next(iter(agent_stores))
    return only if store_ids is None or only in store_ids else None


def call_subject(
    *,
    client_ref: str,
    call_id: str,
    direction: str,
    extension: str,
    number: str,
    at: dt.datetime,
    store_ids: frozenset[int] | None = None,
) -> CallSubject:
    request = find_dial_request(
        client_ref=client_ref,
        call_id=call_id,
        direction=direction,
        extension=extension,
        number=number,
        at=at,
        store_ids=store_ids,
    )
    agent = agent_for_extension(extension, store_ids)
    if request is not None:
        return CallSubject(
            agent=agent or request.user,
            store=request.store,
            customer=request.customer,
            dial_request=request,
            callback_task=request.callback_task,
            outreach_task=request.outreach_task,
        )
    subject = CallSubject(agent=agent)
    if agent is not None and number:
        subject.callback_task = (
            _within(CallbackTask.objects.all(), store_ids)
            .filter(_number_q(number, "customer__"), claimed_by=agent, state=TaskState.OPEN)
            .select_related("customer", "store")
            .order_by("-claimed_at", "-id")
            .first()
        )
        if subject.callback_task is None:
            subject.outreach_task = (
                _within(OutreachTask.objects.all(), store_ids)
                .filter(_number_q(number, "customer__"), claimed_by=agent, state=OutreachState.OPEN)
                .select_related("customer", "store")
                .order_by("-claimed_at", "-id")
                .first()
            )
    task = subject.callback_task or subject.outreach_task
    if task is not None:
        subject.customer, subject.store = task.customer, task.store
    else:
        subject.customer = customer_for_number(number=number, agent=agent, store_ids=store_ids)
        subject.store = subject.customer.store if subject.customer else None
    if subject.store is None and (store_id := agent_only_store_id(agent, store_ids)) is not None:
        subject.store = Store.objects.get(pk=store_id)
    return subject


def callback_attempts_for_call() -> QuerySet[CallAttempt]:
    """The attempt rule, for a CallRecord as OuterRef: the same agent's attempts on the call's
    callback task at or after the call began, the first first."""
    return CallAttempt.objects.filter(
        task_id=OuterRef("callback_task_id"), agent_id=OuterRef("agent_id"), at__gte=OuterRef("started_at")
    ).order_by("at", "id")


def outreach_attempts_for_call() -> QuerySet[OutreachAttempt]:
    """The same for the call's outreach task."""
    return OutreachAttempt.objects.filter(
        task_id=OuterRef("outreach_task_id"), user_id=OuterRef("agent_id"), contacted_at__gte=OuterRef("started_at")
    ).order_by("contacted_at", "id")


def call_recorded_q() -> Q:
    """Whether a call has its attempt: linked already, or recorded since by its agent on its task
    (the attempt rule above, not yet linked). The one rule of "recorded": the call page's 通话未登记
    mark and the sweep of unanswered calls (also in its locked re-read) both read it."""
    return (
        Q(call_attempt__isnull=False)
        | Q(outreach_attempt__isnull=False)
        | Exists(callback_attempts_for_call())
        | Exists(outreach_attempts_for_call())
    )
