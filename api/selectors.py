"""API reads: the CTI lookup, a customer's timeline, and the lists reporting tools page through.

Every query is scoped to the client's stores by crm.scoping (the client is the principal, as a
user is for the pages). What leaves the API is what an integration needs: phone numbers masked by
crm.masking's one rule (the CTI already holds the number it looked up), no id numbers, addresses or
other file fields (README "REST API", masking)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from api.models import ApiClient
from callbacks.choices import TaskState
from callbacks.models import CallbackTask
from complaints.models import Case
from crm.models import Customer, Store
from crm.scoping import scope_for_user
from crm.timeline import TimelineEntry, customer_timeline
from retention.choices import OutreachState
from retention.models import OutreachTask, Reminder

# A mobile, a plate or a VIN names a handful of customers (the same mobile in two stores of the
# group, a car sold on); the CTI shows the first few.
LOOKUP_LIMIT = 20
OPEN_CALLBACK_STATES = (TaskState.OPEN, TaskState.DATA_FIX)


def client_stores(*, client: ApiClient) -> QuerySet[Store]:
    return scope_for_user(Store.objects.filter(is_active=True), client, store_field="id").order_by("code")


def client_store_by_code(*, client: ApiClient, code: str) -> Store | None:
    """The client's store with that code, or None (another store's code is as unknown as a typo)."""
    return client_stores(client=client).filter(code=code).first()


@dataclass(frozen=True)
class LookupKey:
    mobile: str = ""
    plate: str = ""
    vin: str = ""


def customer_lookup(*, client: ApiClient, key: LookupKey) -> list[Customer]:
    """The client's customers with that mobile (or landline), plate or VIN, with their vehicles and
    open tasks prefetched: a fixed number of queries whatever it finds."""
    condition = Q()
    if key.mobile:
        # A landline (0564-3312345) matches the landline column; anything else the indexed mobile
        # (an OR of both would scan every customer: the landline has no index).
        condition |= Q(landline=key.mobile) if key.mobile.startswith("0") else Q(mobile=key.mobile)
    if key.plate:
        condition |= Q(vehicles__plate=key.plate.strip().upper())
    if key.vin:
        condition |= Q(vehicles__vin=key.vin.strip().upper())
    if not condition:
        return []
    # The join through vehicles may repeat a customer: distinct ids first, then the rows.
    ids = list(
        scope_for_user(Customer.objects.filter(condition), client)
        .order_by()
        .values_list("id", flat=True)
        .distinct()[:LOOKUP_LIMIT]
    )
    return list(
        Customer.objects.filter(id__in=ids)
        .select_related("store")
        .prefetch_related(
            "vehicles",
            Prefetch(
                "callback_tasks",
                queryset=CallbackTask.objects.filter(state__in=OPEN_CALLBACK_STATES).order_by("window_closes_at"),
                to_attr="open_callback_tasks",
            ),
            Prefetch(
                "outreach_tasks",
                queryset=OutreachTask.objects.filter(state=OutreachState.OPEN).order_by("window_closes_at"),
                to_attr="open_outreach_tasks",
            ),
        )
        .order_by("-last_visit_at", "-id")
    )


def customer_for_client(*, client: ApiClient, pk: int) -> Customer | None:
    return scope_for_user(Customer.objects.select_related("store"), client).filter(pk=pk).first()


def customer_timeline_for_client(*, client: ApiClient, customer: Customer) -> list[TimelineEntry]:
    """The customer page's timeline as the client may see it (providers scope by the principal)."""
    return customer_timeline(customer, user=client)


def customer_url(customer_id: int) -> str:
    return reverse("crm:customer_detail", kwargs={"pk": customer_id})


# --- lists for reporting tools -----------------------------------------------------------------


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _month_instants(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as local (Asia/Shanghai) instants, so the index on the column is used."""
    start, end = _month_bounds(month)
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end, dt.time.min)),
    )


def callback_tasks_for_client(
    *, client: ApiClient, store: Store | None = None, month: dt.date | None = None
) -> QuerySet[CallbackTask]:
    """Callback tasks by the month their window opens (the month of the source event's callback)."""
    qs = scope_for_user(CallbackTask.objects.all(), client)
    if store is not None:
        qs = qs.filter(store=store)
    if month is not None:
        start, end = _month_instants(month)
        qs = qs.filter(window_opens_at__gte=start, window_opens_at__lt=end)
    return qs.select_related("store", "customer", "vehicle").order_by("id")


def complaints_for_client(
    *, client: ApiClient, store: Store | None = None, month: dt.date | None = None
) -> QuerySet[Case]:
    """Complaint cases by the month they were received (SPEC §9: the month's cases)."""
    qs = scope_for_user(Case.objects.all(), client)
    if store is not None:
        qs = qs.filter(store=store)
    if month is not None:
        start, end = _month_instants(month)
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    return qs.select_related("store", "customer", "department").order_by("id")


def reminders_for_client(
    *, client: ApiClient, store: Store | None = None, month: dt.date | None = None
) -> QuerySet[Reminder]:
    """Reminders by the month of their send date (SPEC §10.2's report)."""
    qs = scope_for_user(Reminder.objects.all(), client)
    if store is not None:
        qs = qs.filter(store=store)
    if month is not None:
        start, end = _month_bounds(month)
        qs = qs.filter(send_on__gte=start, send_on__lt=end)
    return qs.select_related("store", "customer", "vehicle").order_by("id")
