"""Reminder generation (SPEC §10.2): every reminder whose send date ≤ the day ≤ its due date.

Per store and kind, the database narrows the candidates with range or month-and-day conditions on
indexed date columns (a day's window, never every customer or vehicle of the store); the few rows
left get their exact due date from `retention.rules` and are inserted in bulk with ON CONFLICT DO
NOTHING against the (subject, kind, due date) constraints — so a run repeated, or two workers at
once, insert nothing twice. Festivals (one greeting for every customer of the store) go in as one
INSERT … SELECT. The new rows' channels are then worked by `retention.dispatch`.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Length, Substr
from django.utils import timezone

from crm.models import Customer, Delivery, RepairOrder, Store, Vehicle, VehicleOwnership
from retention.choices import REMINDER_KINDS, OutreachKind, ReminderStatus
from retention.dispatch import reminders_dispatch
from retention.festivals import festival_calendar_ensure
from retention.models import FestivalDate, Reminder, ReminderSettings
from retention.rules import (
    add_months,
    anniversaries_between,
    birthday_from_id_number,
    month_day_pairs,
    warranty_end_due,
)
from retention.store_settings import store_reminder_rules

K = OutreachKind
# (customer id, vehicle id or None, due date)
Candidate = tuple[int, int | None, dt.date]
DateQ = Callable[[str], Q]


@dataclass
class KindCount:
    created: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def reminders_generate(
    *, day: dt.date, stores: Iterable[Store] | None = None, now: dt.datetime | None = None
) -> dict[str, KindCount]:
    """Create the reminders due for generation on `day` in `stores` (default: every active store) and
    work their channels. Returns, per kind, how many were created and how many of those were skipped."""
    now = now or timezone.now()
    totals = {kind: KindCount() for kind in REMINDER_KINDS}
    for store in stores if stores is not None else Store.objects.filter(is_active=True):
        festival_calendar_ensure(store=store)
        rules = store_reminder_rules(store.id)
        for kind in REMINDER_KINDS:
            setting = rules.kinds[kind]
            if not setting.enabled:
                continue
            end = day + dt.timedelta(days=setting.lead_days)
            if kind == K.FESTIVAL:
                _insert_festivals(store, day, end, setting)
                continue
            rows = CANDIDATES[kind](store, day, end, rules.numbers)
            Reminder.objects.bulk_create(
                [
                    Reminder(
                        store=store,
                        kind=kind,
                        customer_id=customer_id,
                        vehicle_id=vehicle_id,
                        due_on=due,
                        send_on=due - dt.timedelta(days=setting.lead_days),
                        channel=setting.channel,
                    )
                    for customer_id, vehicle_id, due in rows
                ],
                ignore_conflicts=True,
                batch_size=2000,
            )
        for kind, (created, skipped, reasons) in reminders_dispatch(store=store, now=now).items():
            totals[kind].created += created
            totals[kind].skipped += skipped
            for reason, n in reasons.items():
                totals[kind].reasons[reason] = totals[kind].reasons.get(reason, 0) + n
    return totals


# --- the vehicles of a store ----------------------------------------------------------------------


def _current_owner(store: Store, vehicle_ref: str) -> Subquery:
    """The vehicle's current owner when that owner is a customer file of the store (else NULL):
    a vehicle's reminders go to its current owner (crm.VehicleOwnership, ended_on empty)."""
    owners = VehicleOwnership.objects.filter(
        vehicle_id=OuterRef(vehicle_ref), ended_on__isnull=True, customer__store_id=store.id
    )
    return Subquery(owners.values("customer_id")[:1])


def _serviced_here(store: Store, vehicle_ref: str) -> Exists:
    return Exists(RepairOrder.objects.filter(store_id=store.id, vehicle_id=OuterRef(vehicle_ref)))


def _delivered_here(store: Store, vehicle_ref: str) -> Exists:
    return Exists(Delivery.objects.filter(store_id=store.id, vehicle_id=OuterRef(vehicle_ref)))


def _delivered_vehicles(
    store: Store, date_q: DateQ, *, without_policy: bool = False, with_latest_mileage: bool = False
) -> list[dict]:
    """The store's vehicles whose delivered_on matches `date_q`, with their current owner here:
    delivered_on is the vehicle's (first) delivery at the store, else its purchase date when it was
    serviced here (bought elsewhere). Rows: vehicle, owner, delivered_on (and the latest RO with a
    mileage: ro_at, ro_km)."""
    earlier = Delivery.objects.filter(
        store_id=store.id, vehicle_id=OuterRef("vehicle_id"), delivered_on__lt=OuterRef("delivered_on")
    )
    delivered = (
        Delivery.objects.filter(store_id=store.id)
        .filter(date_q("delivered_on"))
        .filter(~Exists(earlier))
        .annotate(vehicle_ref=F("vehicle_id"), owner_ref=_current_owner(store, "vehicle_id"), day=F("delivered_on"))
    )
    bought_elsewhere = (
        Vehicle.objects.filter(date_q("purchase_date"))
        .filter(~_delivered_here(store, "pk"), _serviced_here(store, "pk"))
        .annotate(vehicle_ref=F("pk"), owner_ref=_current_owner(store, "pk"), day=F("purchase_date"))
    )
    if without_policy:
        delivered = delivered.filter(vehicle__insurance_date__isnull=True)
        bought_elsewhere = bought_elsewhere.filter(insurance_date__isnull=True)
    rows: list[dict] = []
    for qs in (delivered, bought_elsewhere):
        qs = qs.filter(owner_ref__isnull=False)
        names = ["vehicle_ref", "owner_ref", "day"]
        if with_latest_mileage:
            latest = RepairOrder.objects.filter(vehicle_id=OuterRef("vehicle_ref"), mileage_km__isnull=False).order_by(
                "-opened_at", "-id"
            )
            qs = qs.annotate(
                ro_at=Subquery(latest.values("opened_at")[:1]), ro_km=Subquery(latest.values("mileage_km")[:1])
            )
            names += ["ro_at", "ro_km"]
        rows += qs.values(*names)
    return rows


def _range_q(start: dt.date, end: dt.date) -> DateQ:
    return lambda name: Q(**{f"{name}__gte": start, f"{name}__lte": end})


def _anniversary_q(start: dt.date, end: dt.date) -> DateQ:
    """A date whose anniversary falls in [start, end] (month and day; 29 Feb on 28 Feb of a common year)."""
    by_month: dict[int, list[int]] = {}
    for month, day in month_day_pairs(start, end):
        by_month.setdefault(month, []).append(day)

    def q(name: str) -> Q:
        out = Q()
        for month, days in by_month.items():
            out |= Q(**{f"{name}__month": month, f"{name}__day__in": days})
        return out

    return q


# --- the kinds ------------------------------------------------------------------------------------


def _first_service(store: Store, start: dt.date, end: dt.date, numbers: ReminderSettings) -> list[Candidate]:
    """delivered_on + N months; none once the vehicle has an RO opened after its delivery."""
    months = numbers.first_service_months
    lo, hi = add_months(start, -months) - dt.timedelta(days=3), add_months(end, -months) + dt.timedelta(days=3)
    out = []
    rows = _delivered_vehicles(store, _range_q(lo, hi))
    came_back = _vehicles_with_ro_after({r["vehicle_ref"]: r["day"] for r in rows})
    for r in rows:
        due = add_months(r["day"], months)
        if start <= due <= end and r["vehicle_ref"] not in came_back:
            out.append((r["owner_ref"], r["vehicle_ref"], due))
    return out


def _vehicles_with_ro_after(delivered: dict[int, dt.date]) -> set[int]:
    """The vehicles (of `delivered`: id → delivered_on) with an RO opened after the delivery day."""
    if not delivered:
        return set()
    earliest = min(delivered.values())
    since = dt.datetime.combine(earliest + dt.timedelta(days=1), dt.time.min, timezone.get_current_timezone())
    seen = RepairOrder.objects.filter(vehicle_id__in=list(delivered), opened_at__gte=since).values_list(
        "vehicle_id", "opened_at"
    )
    return {vid for vid, at in seen if timezone.localtime(at).date() > delivered[vid]}


def _periodic_service(store: Store, start: dt.date, end: dt.date, numbers: ReminderSettings) -> list[Candidate]:
    """The vehicle's latest RO 进厂时间 (date) + N months (a newer RO gives a new due date)."""
    months = numbers.periodic_service_months
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(add_months(start, -months) - dt.timedelta(days=3), dt.time.min, tz)
    hi = dt.datetime.combine(add_months(end, -months) + dt.timedelta(days=4), dt.time.min, tz)
    newer = RepairOrder.objects.filter(vehicle_id=OuterRef("vehicle_id"), opened_at__gt=OuterRef("opened_at"))
    rows = (
        RepairOrder.objects.filter(opened_at__gte=lo, opened_at__lt=hi)
        .filter(~Exists(newer))
        .filter(Q(_serviced_here(store, "vehicle_id")) | Q(_delivered_here(store, "vehicle_id")))
        .annotate(owner_ref=_current_owner(store, "vehicle_id"))
        .filter(owner_ref__isnull=False)
        .values_list("owner_ref", "vehicle_id", "opened_at")
        .distinct()
    )
    out = []
    for owner, vehicle_id, opened_at in rows:
        due = add_months(timezone.localtime(opened_at).date(), months)
        if start <= due <= end:
            out.append((owner, vehicle_id, due))
    return out


def _insurance(store: Store, start: dt.date, end: dt.date, numbers: ReminderSettings) -> list[Candidate]:
    """Each anniversary of the vehicle's policy date (投保日期), else of delivered_on."""
    q = _anniversary_q(start, end)
    with_policy = (
        Vehicle.objects.filter(q("insurance_date"))
        .filter(Q(_serviced_here(store, "pk")) | Q(_delivered_here(store, "pk")))
        .annotate(owner_ref=_current_owner(store, "pk"))
        .filter(owner_ref__isnull=False)
        .values_list("owner_ref", "pk", "insurance_date")
    )
    dated = list(with_policy) + [
        (r["owner_ref"], r["vehicle_ref"], r["day"]) for r in _delivered_vehicles(store, q, without_policy=True)
    ]
    return [(owner, vid, due) for owner, vid, day in dated for due in anniversaries_between(day, start, end)]


def _inspection(store: Store, start: dt.date, end: dt.date, numbers: ReminderSettings) -> list[Candidate]:
    """Each Nth anniversary of delivered_on (N = the inspection interval, 2 years)."""
    every = numbers.inspection_interval_years
    return [
        (r["owner_ref"], r["vehicle_ref"], due)
        for r in _delivered_vehicles(store, _anniversary_q(start, end))
        for due in anniversaries_between(r["day"], start, end, every=every)
    ]


def _warranty_end(store: Store, start: dt.date, end: dt.date, numbers: ReminderSettings) -> list[Candidate]:
    """The earlier of delivered_on + 2 years and the projected day the mileage reaches 60,000 km.
    Both are on or before delivered_on + 2 years, so only vehicles delivered since `start` − 2 years count."""
    lo = add_months(start, -12 * numbers.warranty_years) - dt.timedelta(days=3)
    out = []
    for r in _delivered_vehicles(store, _range_q(lo, end), with_latest_mileage=True):
        due = warranty_end_due(
            delivered_on=r["day"],
            years=numbers.warranty_years,
            km=numbers.warranty_km,
            ro_date=timezone.localtime(r["ro_at"]).date() if r["ro_at"] else None,
            ro_mileage=r["ro_km"],
        )
        if start <= due <= end:
            out.append((r["owner_ref"], r["vehicle_ref"], due))
    return out


def _birthday(store: Store, start: dt.date, end: dt.date, numbers: ReminderSettings) -> list[Candidate]:
    """The birthday each year: the birthday field, else the 18-digit id number's birth date."""
    pairs = month_day_pairs(start, end)
    mmdd = [f"{m:02d}{d:02d}" for m, d in pairs]
    customers: QuerySet = (
        Customer.objects.filter(store_id=store.id)
        .annotate(id_len=Length("id_number"), id_mmdd=Substr("id_number", 11, 4))
        .filter(_anniversary_q(start, end)("birthday") | Q(birthday__isnull=True, id_len=18, id_mmdd__in=mmdd))
        .values_list("pk", "birthday", "id_number")
    )
    out = []
    for pk, birthday, id_number in customers:
        born = birthday or birthday_from_id_number(id_number)
        if born is None:
            continue
        out += [(pk, None, due) for due in anniversaries_between(born, start, end)]
    return out


def _insert_festivals(store: Store, start: dt.date, end: dt.date, setting) -> None:
    """One greeting per customer file of the store for each festival in [start, end]: INSERT … SELECT."""
    table = Reminder._meta.db_table
    customer_table = Customer._meta.db_table
    now = timezone.now()
    for festival, day in FestivalDate.objects.filter(store=store, date__gte=start, date__lte=end).values_list(
        "festival", "date"
    ):
        send_on = day - dt.timedelta(days=setting.lead_days)
        with transaction.atomic(), connection.cursor() as cursor:
            # WHERE before ON CONFLICT: SQLite needs it to read the upsert clause (the `make run` demo).
            cursor.execute(
                f"INSERT INTO {table} (store_id, kind, customer_id, vehicle_id, due_on, send_on, festival, "
                "channel, status, skip_reason, created_at) "
                f"SELECT %s, %s, c.id, NULL, %s, %s, %s, %s, %s, '', %s FROM {customer_table} c "
                "WHERE c.store_id = %s ON CONFLICT DO NOTHING",
                [store.id, K.FESTIVAL, day, send_on, festival, setting.channel, ReminderStatus.NEW, now, store.id],
            )


CANDIDATES: dict[str, Callable[[Store, dt.date, dt.date, ReminderSettings], list[Candidate]]] = {
    K.FIRST_SERVICE: _first_service,
    K.PERIODIC_SERVICE: _periodic_service,
    K.INSURANCE: _insurance,
    K.INSPECTION: _inspection,
    K.WARRANTY_END: _warranty_end,
    K.BIRTHDAY: _birthday,
}
