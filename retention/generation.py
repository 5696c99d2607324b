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
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Length, Substr
from django.utils import timezone

from crm.importing import bulk
from crm.models import Customer, Delivery, RepairOrder, Store, Vehicle
from retention.choices import REMINDER_KINDS, OutreachKind, ReminderStatus
from retention.dispatch import reminders_dispatch
from retention.festivals import festival_calendar_ensure
from retention.models import FestivalDate, Reminder, ReminderKindSetting, ReminderRun, ReminderSettings
from retention.rules import (
    add_months,
    anniversaries_between,
    birthday_from_id_number,
    month_day_pairs,
    warranty_end_due,
)
from retention.store_settings import StoreReminderRules, store_reminder_rules

K = OutreachKind
# (store id, customer id, vehicle id or None, due date)
Candidate = tuple[int, int, int | None, dt.date]
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
    work their channels. Returns, per kind, how many were created and how many of those were skipped.

    Each kind's candidates are read for all the stores at once (one scan of a table serves ten
    stores), with the widest of the stores' windows; each row is then held to its own store's rules."""
    now = now or timezone.now()
    started_at = timezone.now()
    stores = list(stores) if stores is not None else list(Store.objects.filter(is_active=True))
    rules = {store.id: store_reminder_rules(store.id) for store in stores}
    unchanged = _ran_since_last_change(day, [store.id for store in stores])
    inserted: list[int] = []
    for kind in REMINDER_KINDS:
        scope = Scope(day=day, kind=kind, rules={sid: r for sid, r in rules.items() if r.kinds[kind].enabled})
        if not scope.rules:
            continue
        if kind == K.FESTIVAL:
            for store in stores:
                if store.id in scope.rules:
                    festival_calendar_ensure(store=store)
                    inserted += _insert_festivals(store, day, scope.end(store.id), scope.setting(store.id))
            continue
        if unchanged:
            continue
        candidates = set(CANDIDATES[kind](scope)) - _existing(scope)
        rows = [
            {
                "store_id": store_id,
                "kind": kind,
                "customer_id": customer_id,
                "vehicle_id": vehicle_id,
                "due_on": due,
                "send_on": due - dt.timedelta(days=scope.setting(store_id).lead_days),
                "festival": "",
                "channel": scope.setting(store_id).channel,
            }
            for store_id, customer_id, vehicle_id, due in sorted(candidates, key=_candidate_order)
        ]
        # RETURNING: the rows this run inserted — a row another worker inserted first is not ours.
        inserted += [pk for (pk,) in bulk.insert_rows(Reminder, rows, returning=("id",), skip_conflicts=True)]
    ReminderRun.objects.create(
        day=day, store_ids=sorted(store.id for store in stores), started_at=started_at, finished_at=timezone.now()
    )
    for store in stores:
        reminders_dispatch(store=store, now=now)
    return _created_counts(inserted)


def _candidate_order(candidate: Candidate) -> tuple:
    store_id, customer_id, vehicle_id, due = candidate
    return (store_id, customer_id, vehicle_id or 0, due)


def _created_counts(inserted: list[int]) -> dict[str, KindCount]:
    """Per kind, the reminders this run inserted and, of those, the ones skipped with their reasons.
    Not the dispatch's count: it works every NEW row of the store — one a crashed run left, and not
    one a concurrent worker's dispatch took — so it printed rows this run did not create."""
    totals = {kind: KindCount() for kind in REMINDER_KINDS}
    if not inserted:
        return totals
    rows = (
        Reminder.objects.filter(id__in=bulk.ids_in(inserted))
        .values("kind", "status", "skip_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        count = totals[row["kind"]]
        count.created += row["n"]
        if row["status"] == ReminderStatus.SKIPPED:
            count.skipped += row["n"]
            for reason in filter(None, row["skip_reason"].split(",")):
                count.reasons[reason] = count.reasons.get(reason, 0) + row["n"]
    return totals


def _existing(scope: "Scope") -> set[Candidate]:
    """The kind's reminders already made with a due date in the window: left out of the insert (most
    of a window exists after the previous day's run). The unique constraints still decide under
    concurrency; this only spares the database the conflicting rows."""
    rows = Reminder.objects.filter(
        kind=scope.kind, store_id__in=scope.store_ids, due_on__gte=scope.day, due_on__lte=scope.widest_end
    ).values_list("store_id", "customer_id", "vehicle_id", "due_on")
    return set(rows)


def _ran_since_last_change(day: dt.date, store_ids: list[int]) -> bool:
    """Whether a run of `day` over these stores started after the last change of anything the rules
    read (customers, vehicles and their owners — an ownership's save or delete stamps its vehicle,
    retention.signals —, deliveries, ROs, the reminder settings): then a new
    run would find the same candidates, all of them existing. Festivals are always inserted (one
    statement). A MAX per table; the import stamps updated_at on every row it writes."""
    last = (
        ReminderRun.objects.filter(day=day, store_ids=sorted(store_ids))
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last is None:
        return False
    for model in (Customer, Vehicle, Delivery, RepairOrder, ReminderSettings, ReminderKindSetting):
        changed = model.objects.aggregate(at=Max("updated_at"))["at"]
        if changed is not None and changed >= last:
            return False
    return True


@dataclass(frozen=True)
class Scope:
    """One kind's run over the stores that have it on: their settings and windows."""

    day: dt.date
    kind: str
    rules: dict[int, StoreReminderRules]

    @property
    def store_ids(self) -> list[int]:
        return list(self.rules)

    def setting(self, store_id: int):
        return self.rules[store_id].kinds[self.kind]

    def numbers(self, store_id: int) -> ReminderSettings:
        return self.rules[store_id].numbers

    def end(self, store_id: int) -> dt.date:
        return self.day + dt.timedelta(days=self.setting(store_id).lead_days)

    @property
    def widest_end(self) -> dt.date:
        return max(self.end(sid) for sid in self.rules)

    def fits(self, store_id: int | None, due: dt.date) -> bool:
        """Whether a reminder due on `due` is for generation today in that store: send date ≤ day ≤ due."""
        return store_id in self.rules and self.day <= due <= self.end(store_id)


# --- the vehicles of the stores -------------------------------------------------------------------


def _with_owner(qs: QuerySet, store_ids: list[int], vehicle_path: str) -> QuerySet:
    """`qs` with its vehicle's current owner (owner_ref) and that owner's store (owner_store), kept
    when the owner is a customer file of one of the stores: a vehicle's reminders go to its current
    owner (crm.VehicleOwnership, ended_on empty), in that owner's store. A join, not a subquery per
    row (one current ownership per vehicle: a unique constraint)."""
    p = f"{vehicle_path}ownerships__"
    return qs.filter(**{f"{p}ended_on__isnull": True, f"{p}customer__store_id__in": store_ids}).annotate(
        owner_ref=F(f"{p}customer_id"), owner_store=F(f"{p}customer__store_id")
    )


def _serviced_here(vehicle_ref: str, store_ref: str = "owner_store") -> Exists:
    return Exists(RepairOrder.objects.filter(store_id=OuterRef(store_ref), vehicle_id=OuterRef(vehicle_ref)))


def _delivered_here(vehicle_ref: str, store_ref: str = "owner_store") -> Exists:
    return Exists(Delivery.objects.filter(store_id=OuterRef(store_ref), vehicle_id=OuterRef(vehicle_ref)))


def _delivered_vehicles(
    scope: Scope,
    date_q: DateQ,
    *,
    without_policy: bool = False,
    with_latest_mileage: bool = False,
    vehicle_ids: list[int] | None = None,
) -> list[dict]:
    """The stores' vehicles whose delivered_on matches `date_q`, with their current owner and that
    owner's store: delivered_on is the vehicle's (first) delivery at the owner's store, else its
    purchase date when it was serviced there (bought elsewhere). Rows: vehicle_ref, owner_ref,
    owner_store, day (and the latest RO with a mileage: ro_at, ro_km)."""
    ids = scope.store_ids
    earlier = Delivery.objects.filter(
        store_id=OuterRef("store_id"), vehicle_id=OuterRef("vehicle_id"), delivered_on__lt=OuterRef("delivered_on")
    )
    delivered = _with_owner(
        Delivery.objects.filter(store_id__in=ids).filter(date_q("delivered_on")).filter(~Exists(earlier)),
        ids,
        "vehicle__",
    ).annotate(vehicle_ref=F("vehicle_id"), day=F("delivered_on"), delivered_at_store=F("store_id"))
    bought_elsewhere = (
        _with_owner(Vehicle.objects.filter(date_q("purchase_date")), ids, "")
        .filter(~_delivered_here("pk"), _serviced_here("pk"))
        .annotate(vehicle_ref=F("pk"), day=F("purchase_date"), delivered_at_store=F("owner_store"))
    )
    if vehicle_ids is not None:
        delivered = delivered.filter(vehicle_id__in=vehicle_ids)
        bought_elsewhere = bought_elsewhere.filter(pk__in=vehicle_ids)
    if without_policy:
        delivered = delivered.filter(vehicle__insurance_date__isnull=True)
        bought_elsewhere = bought_elsewhere.filter(insurance_date__isnull=True)
    names = ["vehicle_ref", "owner_ref", "owner_store", "day", "delivered_at_store"]
    # The delivery counts at the owner's store only (a vehicle sold on to another store's customer).
    rows_delivered = [r for r in delivered.values(*names) if r["delivered_at_store"] == r["owner_store"]]
    rows_elsewhere = [r for r in bought_elsewhere.values(*names) if r["delivered_at_store"] == r["owner_store"]]
    rows = rows_delivered + rows_elsewhere
    if with_latest_mileage:
        # The deliveries' vehicles as a subquery (a list of ~100,000 ids costs the planner more than the scan).
        latest = _latest_mileage([r["vehicle_ref"] for r in rows])
        for r in rows:
            r["ro_at"], r["ro_km"] = latest.get(r["vehicle_ref"], (None, None))
    return rows


def _latest_mileage(vehicle_ids) -> dict[int, tuple[dt.datetime, int]]:
    """Each vehicle's latest RO with a mileage: (opened_at, mileage). One query (DISTINCT ON on
    PostgreSQL); `vehicle_ids` a list or a subquery of vehicle ids."""
    latest: dict[int, tuple[dt.datetime, int]] = {}
    if isinstance(vehicle_ids, list) and not vehicle_ids:
        return latest
    qs = RepairOrder.objects.filter(vehicle_id__in=vehicle_ids, mileage_km__isnull=False)
    if connection.vendor == "postgresql":
        qs = qs.order_by("vehicle_id", "-opened_at", "-id").distinct("vehicle_id")
    for vehicle_id, opened_at, km in qs.values_list("vehicle_id", "opened_at", "mileage_km"):
        if vehicle_id not in latest or latest[vehicle_id][0] < opened_at:
            latest[vehicle_id] = (opened_at, km)
    return latest


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


def _months_back(scope: Scope, months_of) -> tuple[dt.date, dt.date]:
    """A range holding every date d with d + N months (N = `months_of(numbers)`, per store) in some
    store's window (a few days wider: month-end clamping); the exact rule is applied to each row."""
    lo = min(add_months(scope.day, -months_of(scope.numbers(s))) for s in scope.rules) - dt.timedelta(days=3)
    hi = max(add_months(scope.end(s), -months_of(scope.numbers(s))) for s in scope.rules) + dt.timedelta(days=3)
    return lo, hi


# --- the kinds ------------------------------------------------------------------------------------


def _first_service(scope: Scope) -> list[Candidate]:
    """delivered_on + N months; none once the vehicle has an RO opened after its delivery."""
    rows = _delivered_vehicles(scope, _range_q(*_months_back(scope, lambda n: n.first_service_months)))
    came_back = _vehicles_with_ro_after({r["vehicle_ref"]: r["day"] for r in rows})
    out = []
    for r in rows:
        due = add_months(r["day"], scope.numbers(r["owner_store"]).first_service_months)
        if scope.fits(r["owner_store"], due) and r["vehicle_ref"] not in came_back:
            out.append((r["owner_store"], r["owner_ref"], r["vehicle_ref"], due))
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


def _periodic_service(scope: Scope) -> list[Candidate]:
    """The vehicle's latest RO 进厂时间 (date) + N months (a newer RO gives a new due date)."""
    tz = timezone.get_current_timezone()
    first, last = _months_back(scope, lambda n: n.periodic_service_months)
    lo = dt.datetime.combine(first, dt.time.min, tz)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    newer = RepairOrder.objects.filter(vehicle_id=OuterRef("vehicle_id"), opened_at__gt=OuterRef("opened_at"))
    rows = (
        _with_owner(
            RepairOrder.objects.filter(opened_at__gte=lo, opened_at__lt=hi).filter(~Exists(newer)),
            scope.store_ids,
            "vehicle__",
        )
        .filter(Q(_serviced_here("vehicle_id")) | Q(_delivered_here("vehicle_id")))
        .values_list("owner_store", "owner_ref", "vehicle_id", "opened_at")
    )
    out = []
    for store_id, owner, vehicle_id, opened_at in rows:
        due = add_months(timezone.localtime(opened_at).date(), scope.numbers(store_id).periodic_service_months)
        if scope.fits(store_id, due):
            out.append((store_id, owner, vehicle_id, due))
    return out


def _insurance(scope: Scope) -> list[Candidate]:
    """Each anniversary of the vehicle's policy date (投保日期), else of delivered_on."""
    q = _anniversary_q(scope.day, scope.widest_end)
    with_policy = (
        _with_owner(Vehicle.objects.filter(q("insurance_date")), scope.store_ids, "")
        # SPEC §10.2: a vehicle with neither a delivery at the store nor a purchase date gets no
        # insurance reminder, even with a policy date.
        .filter(Q(_delivered_here("pk")) | Q(_serviced_here("pk"), purchase_date__isnull=False))
        .values_list("owner_store", "owner_ref", "pk", "insurance_date")
    )
    dated = list(with_policy) + [
        (r["owner_store"], r["owner_ref"], r["vehicle_ref"], r["day"])
        for r in _delivered_vehicles(scope, q, without_policy=True)
    ]
    return [
        (store_id, owner, vid, due)
        for store_id, owner, vid, day in dated
        for due in anniversaries_between(day, scope.day, scope.end(store_id))
    ]


def _inspection(scope: Scope) -> list[Candidate]:
    """Each Nth anniversary of delivered_on (N = the inspection interval, 2 years)."""
    return [
        (r["owner_store"], r["owner_ref"], r["vehicle_ref"], due)
        for r in _delivered_vehicles(scope, _anniversary_q(scope.day, scope.widest_end))
        for due in anniversaries_between(
            r["day"],
            scope.day,
            scope.end(r["owner_store"]),
            every=scope.numbers(r["owner_store"]).inspection_interval_years,
        )
    ]


def _warranty_end(scope: Scope) -> list[Candidate]:
    """The earlier of delivered_on + 2 years and the projected day the mileage reaches 60,000 km.
    Both are on or before delivered_on + 2 years, so only vehicles delivered since the day − 2 years
    count. The projection needs each one's latest mileage: read first for all of them (one DISTINCT
    ON over a subquery), it leaves the few vehicles whose due date can fall in the window, whose
    owners and exact dates are then read."""
    combos = {(scope.numbers(s).warranty_years, scope.numbers(s).warranty_km) for s in scope.rules}
    years = max(y for y, _km in combos)
    lo, hi = add_months(scope.day, -12 * years) - dt.timedelta(days=3), scope.widest_end
    dates: dict[int, set[dt.date]] = {}
    deliveries = Delivery.objects.filter(store_id__in=scope.store_ids, delivered_on__gte=lo, delivered_on__lte=hi)
    purchases = Vehicle.objects.filter(purchase_date__gte=lo, purchase_date__lte=hi)
    for vehicle_id, day in [
        *deliveries.values_list("vehicle_id", "delivered_on"),
        *purchases.values_list("pk", "purchase_date"),
    ]:
        dates.setdefault(vehicle_id, set()).add(day)
    latest = _latest_mileage(deliveries.values("vehicle_id")) | _latest_mileage(purchases.values("pk"))
    # Loose bounds (every store's rule numbers, the widest window); each row is then held to its store's.
    ids = []
    for vehicle_id, days in dates.items():
        ro_at, ro_km = latest.get(vehicle_id, (None, None))
        ro_day = timezone.localtime(ro_at).date() if ro_at else None
        if any(
            scope.day <= warranty_end_due(delivered_on=day, years=y, km=k, ro_date=ro_day, ro_mileage=ro_km) <= hi
            for day in days
            for y, k in combos
        ):
            ids.append(vehicle_id)
    out = []
    for r in _delivered_vehicles(scope, _range_q(lo, hi), vehicle_ids=ids, with_latest_mileage=True):
        numbers = scope.numbers(r["owner_store"])
        due = warranty_end_due(
            delivered_on=r["day"],
            years=numbers.warranty_years,
            km=numbers.warranty_km,
            ro_date=timezone.localtime(r["ro_at"]).date() if r["ro_at"] else None,
            ro_mileage=r["ro_km"],
        )
        if scope.fits(r["owner_store"], due):
            out.append((r["owner_store"], r["owner_ref"], r["vehicle_ref"], due))
    return out


def _birthday(scope: Scope) -> list[Candidate]:
    """The birthday each year: the birthday field, else the 18-digit id number's birth date."""
    start, end = scope.day, scope.widest_end
    mmdd = [f"{m:02d}{d:02d}" for m, d in month_day_pairs(start, end)]
    customers: QuerySet = (
        Customer.objects.filter(store_id__in=scope.store_ids)
        .annotate(id_len=Length("id_number"), id_mmdd=Substr("id_number", 11, 4))
        .filter(_anniversary_q(start, end)("birthday") | Q(birthday__isnull=True, id_len=18, id_mmdd__in=mmdd))
        .values_list("store_id", "pk", "birthday", "id_number")
    )
    out = []
    for store_id, pk, birthday, id_number in customers:
        born = birthday or birthday_from_id_number(id_number)
        if born is None:
            continue
        out += [(store_id, pk, None, due) for due in anniversaries_between(born, start, scope.end(store_id))]
    return out


def _insert_festivals(store: Store, start: dt.date, end: dt.date, setting) -> list[int]:
    """One greeting per customer file of the store for each festival in [start, end]: INSERT … SELECT.
    Returns the ids inserted (RETURNING: PostgreSQL, and SQLite since 3.35)."""
    ids: list[int] = []
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
                "WHERE c.store_id = %s ON CONFLICT DO NOTHING RETURNING id",
                [store.id, K.FESTIVAL, day, send_on, festival, setting.channel, ReminderStatus.NEW, now, store.id],
            )
            ids += [pk for (pk,) in cursor.fetchall()]
    return ids


CANDIDATES: dict[str, Callable[[Scope], list[Candidate]]] = {
    K.FIRST_SERVICE: _first_service,
    K.PERIODIC_SERVICE: _periodic_service,
    K.INSURANCE: _insurance,
    K.INSPECTION: _inspection,
    K.WARRANTY_END: _warranty_end,
    K.BIRTHDAY: _birthday,
}
