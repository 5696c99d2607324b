"""Reads of the win-back list (SPEC §10.3): the list page, an entry, the monthly win-back rate, the
reason summary, table 16's rows, and the at-risk customers (即将流失).

The latest contact of an entry is read from its task's OutreachAttempt rows (newest contacted_at,
then id) through one set of Subquery annotations, so the page, the export and the summary agree
whoever recorded the contact (this app's page or the queue's call page).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.selectors import booking_exists_from_task
from crm.card_flags import CardFlag
from crm.choices import StaffRole
from crm.models import Customer, Delivery, RepairOrder, Staff, Store, User
from crm.scoping import get_scoped_or_404, scope_for_user, user_store_ids
from retention.choices import OutreachResult, ReasonCategory
from retention.models import OutreachAttempt
from winback import rules
from winback.models import WinbackEntry, WinbackSettings

NOT_CONTACTED = "none"  # the result filter's value for entries with no contact yet


def _latest_attempt():
    return OutreachAttempt.objects.filter(task_id=OuterRef("task_id")).order_by("-contacted_at", "-id")


def with_latest_contact(entries: QuerySet[WinbackEntry]) -> QuerySet[WinbackEntry]:
    """Annotate the latest contact: latest_at, latest_result, latest_words, latest_reason, latest_by."""
    latest = _latest_attempt()
    by = latest.annotate(by=Coalesce(NullIf(F("user__display_name"), Value("")), F("user__username"))).values("by")
    return entries.annotate(
        latest_at=Subquery(latest.values("contacted_at")[:1]),
        latest_result=Subquery(latest.values("result")[:1]),
        latest_words=Subquery(latest.values("customer_words")[:1]),
        latest_reason=Subquery(latest.values("reason_category")[:1]),
        latest_by=Subquery(by[:1]),
    )


def entries_for(*, store_ids: Iterable[int] | None) -> QuerySet[WinbackEntry]:
    qs = WinbackEntry.objects.all()
    return qs if store_ids is None else qs.filter(store_id__in=list(store_ids))


@dataclass
class EntryFilters:
    month: dt.date | None = None
    service_advisor: int | None = None
    result: str | None = None  # an OutreachResult value or NOT_CONTACTED
    recovered: bool | None = None


def entry_list(*, user: User, filters: EntryFilters) -> QuerySet[WinbackEntry]:
    """The list page's entries: scoped to the user's stores, filtered, latest contact annotated."""
    qs = scope_for_user(WinbackEntry.objects.all(), user)
    if filters.month is not None:
        qs = qs.filter(month=filters.month)
    if filters.service_advisor is not None:
        qs = qs.filter(service_advisor_id=filters.service_advisor)
    if filters.recovered is not None:
        qs = qs.filter(recovered_on__isnull=not filters.recovered)
    qs = with_latest_contact(qs)
    if filters.result == NOT_CONTACTED:
        qs = qs.filter(latest_result__isnull=True)
    elif filters.result:
        qs = qs.filter(latest_result=filters.result)
    return qs.select_related("customer", "service_advisor", "vehicle", "store").order_by("last_visit_on", "id")


def entry_detail(*, user: User, pk: int) -> WinbackEntry:
    qs = WinbackEntry.objects.select_related(
        "customer", "store", "service_advisor", "vehicle", "task", "last_repair_order", "recovered_by"
    )
    return get_scoped_or_404(qs, user, pk=pk)


def entry_contacts(*, entry: WinbackEntry) -> list[OutreachAttempt]:
    if entry.task_id is None:
        return []
    return list(
        OutreachAttempt.objects.filter(task_id=entry.task_id).select_related("user").order_by("-contacted_at", "-id")
    )


def advisor_choices(*, user: User) -> list[tuple[int, str]]:
    """Service advisors of the user's stores (the list's filter)."""
    staff = scope_for_user(Staff.objects.filter(role=StaffRole.SERVICE_ADVISOR), user)
    return list(staff.order_by("name").values_list("id", "name"))


@dataclass(frozen=True)
class MonthRate:
    month: dt.date
    entries: int
    recovered: int
    # Entries whose win-back call booked the customer in (an appointment exists from the task).
    booked: int = 0

    @property
    def rate(self) -> float | None:
        """Monthly win-back rate = recovered / entries (SPEC §10.3); None when there are no entries."""
        return self.recovered / self.entries if self.entries else None


def winback_counts_by_store_month(
    *, store_ids: Iterable[int] | None, months: list[dt.date]
) -> dict[tuple[int, dt.date], dict[str, int]]:
    """Per (store id, month) of `months`: {"entries": added in the month, "recovered": of them,
    recovered so far, "booked": of them, booked in by their call}. One grouped query."""
    rows = (
        entries_for(store_ids=store_ids)
        .filter(month__in=months)
        .order_by()
        .values("store_id", "month")
        .annotate(
            entries=Count("id"),
            recovered=Count("id", filter=Q(recovered_on__isnull=False)),
            booked=Count("id", filter=Q(booking_exists_from_task("task_id"))),
        )
    )
    return {
        (r["store_id"], r["month"]): {"entries": r["entries"], "recovered": r["recovered"], "booked": r["booked"]}
        for r in rows
    }


def winback_rates(*, store_ids: Iterable[int] | None, months: list[dt.date]) -> list[MonthRate]:
    """The win-back rate of each month (entries added in it, how many recovered so far), the stores
    added up; one query (winback_counts_by_store_month)."""
    totals: dict[dt.date, list[int]] = {m: [0, 0, 0] for m in months}
    for (_store, month), counts in winback_counts_by_store_month(store_ids=store_ids, months=months).items():
        totals[month][0] += counts["entries"]
        totals[month][1] += counts["recovered"]
        totals[month][2] += counts["booked"]
    return [MonthRate(m, *totals[m]) for m in months]


def last_months(month: dt.date, count: int = 12) -> list[dt.date]:
    out = [month.replace(day=1)]
    while len(out) < count:
        out.append(rules.months_before(out[-1], 1))
    return list(reversed(out))


@dataclass
class ReasonGroup:
    category: str
    label: str
    count: int
    words: list[dict] = field(default_factory=list)  # {"customer", "words", "result", "contacted_at"}


def reason_summary(*, store_ids: Iterable[int] | None, month: dt.date) -> list[ReasonGroup]:
    """Why the customers added in `month` stayed away (SPEC §10.3, for the service department): their
    latest contact's reason category, counted, with the customers' words. Categories in their fixed
    order, then 未说明原因 for contacts without one; entries never reached (no contact, or the latest
    one 无法联系) gave no reason and are not counted. One query."""
    entries = (
        with_latest_contact(entries_for(store_ids=store_ids).filter(month=month))
        .filter(latest_result__isnull=False)
        .exclude(latest_result=OutreachResult.UNREACHABLE)
    )
    results = dict(OutreachResult.choices)
    groups = {value: ReasonGroup(value, str(label), 0) for value, label in ReasonCategory.choices}
    groups[""] = ReasonGroup("", _("未说明原因"), 0)
    rows = entries.order_by("latest_reason", "latest_at").values_list(
        "customer__name", "latest_reason", "latest_words", "latest_result", "latest_at"
    )
    for name, reason, words, result, at in rows:
        group = groups.get(reason or "", groups[""])
        group.count += 1
        if words:
            group.words.append(
                {"customer": name, "words": words, "result": str(results.get(result, result)), "contacted_at": at}
            )
    return list(groups.values())


def table16_rows(*, store_ids: Iterable[int] | None, month: dt.date) -> QuerySet[WinbackEntry]:
    """Table 16 (流失客户联络表): the entries added in `month`, each with its latest contact."""
    return (
        with_latest_contact(entries_for(store_ids=store_ids).filter(month=month))
        .select_related("customer", "service_advisor")
        .order_by("last_visit_on", "id")
    )


# --- about to be lost (即将流失) ------------------------------------------------------------------


def customers_at_risk(
    *, customers: QuerySet[Customer] | None = None, store_ids: Iterable[int] | None = None, on: dt.date | None = None
) -> QuerySet[Customer]:
    """The customers whose last visit is 9 to 12 months old on `on` (default today; the store's two
    settings), not on the win-back list. `customers` narrows the set (the queue passes the customers
    of its open tasks: `customers_at_risk(customers=Customer.objects.filter(id__in=...))`). The
    candidates come from the (store, last_visit_at) index and the deliveries of the window (see
    winback.rules); the exact rule is an index probe per candidate."""
    on = on or timezone.localdate()
    qs = customers if customers is not None else Customer.objects.all()
    if store_ids is not None:
        qs = qs.filter(store_id__in=list(store_ids))
    ids = list(store_ids) if store_ids is not None else list(Store.objects.values_list("id", flat=True))
    conf = rules.store_settings(ids)
    by_rule: dict[tuple[int, int], list[int]] = {}
    for store_id, s in conf.items():
        by_rule.setdefault((s.at_risk_after_months, s.lost_after_months), []).append(store_id)
    condition = Q(pk__in=[])
    for (risk, lost), stores in by_rule.items():
        rule = {"on": on, "at_risk_months": risk, "lost_months": lost}
        candidates = rules.at_risk_candidates(store_ids=stores, **rule)
        condition |= Q(store_id__in=stores, pk__in=candidates) & rules.at_risk_q(**rule)
    # A customer with an open win-back entry is already worked as lost (a delivery since then made
    # his last visit recent, or the store's months changed): not listed twice.
    on_list = WinbackEntry.objects.filter(customer=OuterRef("pk"), recovered_on__isnull=True)
    return qs.filter(condition).filter(~Exists(on_list))


def at_risk_customer_list(*, user: User, on: dt.date) -> QuerySet[Customer]:
    """The at-risk customers of the user's stores with their latest RO time and delivery date."""
    ros = RepairOrder.objects.filter(customer=OuterRef("pk")).order_by("-opened_at")
    deliveries = Delivery.objects.filter(customer=OuterRef("pk")).order_by("-delivered_on")
    return (
        customers_at_risk(store_ids=user_store_ids(user), on=on)
        .annotate(
            last_ro_at=Subquery(ros.values("opened_at")[:1]),
            last_delivery_on=Subquery(deliveries.values("delivered_on")[:1]),
        )
        .select_related("store")
        .order_by("id")
    )


def customer_winback_flags(customer: Customer) -> list[CardFlag]:
    """The customer card's flags: on the win-back list, or lost / about to be lost today (one query)."""
    open_entry = WinbackEntry.objects.filter(customer=OuterRef("pk"), recovered_on__isnull=True)
    store_settings = WinbackSettings.objects.filter(store=OuterRef("store"))
    row = (
        Customer.objects.filter(pk=customer.pk)
        .annotate(
            last_ro_at=Subquery(
                RepairOrder.objects.filter(customer=OuterRef("pk")).order_by("-opened_at").values("opened_at")[:1]
            ),
            last_delivery_on=Subquery(
                Delivery.objects.filter(customer=OuterRef("pk")).order_by("-delivered_on").values("delivered_on")[:1]
            ),
            entry_id=Subquery(open_entry.values("id")[:1]),
            entry_month=Subquery(open_entry.values("month")[:1]),
            lost_months=Subquery(store_settings.values("lost_after_months")[:1]),
            at_risk_months=Subquery(store_settings.values("at_risk_after_months")[:1]),
        )
        .values("last_ro_at", "last_delivery_on", "entry_id", "entry_month", "lost_months", "at_risk_months")
        .get()
    )
    if row["entry_id"] is not None:
        return [
            CardFlag(
                _("流失客户 %(month)s") % {"month": f"{row['entry_month']:%Y-%m}"},
                "danger",
                _("已加入流失客户名单，待挽回"),
                reverse("winback:entry_detail", args=[row["entry_id"]]),
            )
        ]
    settings = WinbackSettings(
        lost_after_months=row["lost_months"] or rules.DEFAULTS.lost_after_months,
        at_risk_after_months=row["at_risk_months"] or rules.DEFAULTS.at_risk_after_months,
    )
    status = rules.visit_status(
        last_ro_at=row["last_ro_at"],
        last_delivery_on=row["last_delivery_on"],
        on=timezone.localdate(),
        settings=settings,
    )
    if status.lost:
        return [CardFlag(_("流失客户"), "danger", _("最近来店 %(day)s") % {"day": status.last_visit_on})]
    if status.at_risk:
        return [CardFlag(_("即将流失"), "warning", _("最近来店 %(day)s") % {"day": status.last_visit_on})]
    return []


def latest_month(*, user: User) -> dt.date:
    """The newest month with entries in the user's stores (the pages open on it), else this month."""
    month = scope_for_user(WinbackEntry.objects.all(), user).order_by("-month").values_list("month", flat=True).first()
    return month or timezone.localdate().replace(day=1)
