"""API reads: the CTI lookup, a customer's timeline, and the lists reporting tools page through.

Every query is scoped to the client's stores by crm.scoping (the client is the principal, as a
user is for the pages). What leaves the API is what an integration needs: phone numbers masked by
crm.masking's one rule (the CTI already holds the number it looked up), no id numbers, addresses or
other file fields (README "REST API", masking)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from api.models import ApiClient
from callbacks.choices import CallbackKind, TaskState
from callbacks.figures import task_month_filter
from callbacks.models import CallbackTask
from complaints.models import Case
from complaints.reports import cases_received
from crm.models import Customer, Store
from crm.periods import month_bounds
from crm.scoping import scope_for_user, user_store_ids
from crm.timeline import TimelineEntry, customer_timeline
from crm.validators import normalize_phone, normalize_plate, normalize_vin
from retention.choices import OutreachState
from retention.models import OutreachTask, Reminder
from retention.selectors import reminders_in_month

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
    """The keys as the CTI sends them (`+86 139 1234 5678`, `苏a·12345`): normalised by
    `normalized()`, with the importer's own functions, into the form the columns store."""

    mobile: str = ""
    plate: str = ""
    vin: str = ""

    def normalized(self) -> "LookupKey":
        return LookupKey(
            mobile=normalize_phone(self.mobile), plate=normalize_plate(self.plate), vin=normalize_vin(self.vin)
        )


def customer_lookup(*, client: ApiClient, key: LookupKey) -> list[Customer]:
    """The client's customers with that mobile (or landline), plate or VIN, with their vehicles and
    open tasks prefetched: a fixed number of queries whatever it finds. Each key is an equality on
    an indexed column (customer mobile, vehicle plate, vehicle VIN), compared in the stored form."""
    key = key.normalized()
    condition = Q()
    if key.mobile:
        # A landline (0564-3312345) matches the landline column; anything else the indexed mobile
        # (an OR of both would scan every customer: the landline has no index).
        condition |= Q(landline=key.mobile) if key.mobile.startswith("0") else Q(mobile=key.mobile)
    if key.plate:
        condition |= Q(vehicles__plate=key.plate)
    if key.vin:
        condition |= Q(vehicles__vin=key.vin)
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
# Each list counts a record in a month by the rule the reports count it by (SPEC §9 "one figure,
# one rule"), imported from the app that owns it, so a list and its report agree for a month.


def callback_tasks_for_client(
    *, client: ApiClient, store: Store | None = None, month: dt.date | None = None
) -> QuerySet[CallbackTask]:
    """Callback tasks by the month of their source event (a delivery's date, an RO's 交车时间), as
    tables 3, 7 and 8 count them (callbacks.figures.task_month_filter, one kind at a time).

    The month's ids are a UNION ALL of one query per kind, each walking its source's (store, date)
    index: an OR of the two kinds joins every task to both sources (0.8 s for a COUNT at SPEC §12
    scale, 1.5 s for a deep page; this way 66 ms and 105 ms). Customer and vehicle come by prefetch,
    so the page's ids are sorted before anything is joined."""
    qs = scope_for_user(CallbackTask.objects.all(), client)
    if store is not None:
        qs = qs.filter(store=store)
    if month is not None:
        store_ids = [store.pk] if store is not None else sorted(user_store_ids(client))
        of_month = [
            CallbackTask.objects.filter(task_month_filter(kind=kind, first=month, store_ids=store_ids))
            .order_by()
            .values("id")
            for kind in CallbackKind
        ]
        qs = qs.filter(id__in=of_month[0].union(*of_month[1:], all=True))
    return qs.select_related("store").prefetch_related("customer", "vehicle").order_by("id")


def complaints_for_client(
    *, client: ApiClient, store: Store | None = None, month: dt.date | None = None
) -> QuerySet[Case]:
    """Complaint cases by the month they were received, as the complaint reports count them
    (complaints.reports.cases_received over crm.periods.month_bounds)."""
    if month is not None:
        start, end = month_bounds(month)
        qs = cases_received(start=start, end=end, store_ids=None)
    else:
        qs = Case.objects.all()
    qs = scope_for_user(qs, client)
    if store is not None:
        qs = qs.filter(store=store)
    return qs.select_related("store", "customer", "department").order_by("id")


def reminders_for_client(
    *, client: ApiClient, store: Store | None = None, month: dt.date | None = None
) -> QuerySet[Reminder]:
    """Reminders by the month of their send date, as the reminder report and export count them
    (retention.selectors.reminders_in_month)."""
    qs = reminders_in_month(store_ids=None, month=month) if month is not None else Reminder.objects.all()
    qs = scope_for_user(qs, client)
    if store is not None:
        qs = qs.filter(store=store)
    return qs.select_related("store", "customer", "vehicle").order_by("id")
