"""The crm sheets of the DMS import: 交车 / deliveries and 工单 / repair_orders (SPEC §5).

Both work a batch at a time with a fixed number of queries per batch (look up what exists, create
what is missing in bulk, update what changed in bulk), so that 100,000 rows import in under a
minute. Matching rules: the store by its code (else the import's default store); staff and repair
teams by name within the store (created when new); customers by store + mobile + name; vehicles
by VIN; deliveries and repair orders by their number within the store.

Choices where SPEC §5 is silent, and why:
- An empty cell never erases what the customer file already holds about a customer or vehicle
  (a CR agent may have corrected an address the DMS still has empty); a filled cell overwrites.
  The record's own optional fields (交车时间, amounts, …) follow the DMS, empty included, when the
  column is in the file at all.
- A row counts as `updated` when its delivery / repair order changed or when it changed its
  customer's or vehicle's data; `unchanged` when nothing at all was written.
- A vehicle whose VIN arrives with another customer changes owner: the old ownership period ends
  and a new one starts on the delivery date or the RO's date (过户).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.choices import DepartmentKind, Gender, PurchaseType, StaffRole, WorkType
from crm.importing import bulk
from crm.importing import parsers as p
from crm.importing.registry import Column, ImportContext, Outcome, ParsedRow, RowError, SheetHandler
from crm.models import Customer, Delivery, Department, RepairOrder, RepairTeam, Staff, Store, Vehicle, VehicleOwnership
from crm.services import customer_refresh_cards_by_ids

WARRANTY_YEARS = 2
_GENDER = p.choice(Gender, extra={"男士": Gender.MALE, "先生": Gender.MALE, "女士": Gender.FEMALE})


def _by_keys(model: type[Model], fields: tuple[str, ...], keys: set[tuple]) -> dict[tuple, Any]:
    """Rows of `model` whose `fields` equal one of `keys` (a superset query, filtered exactly here)."""
    if not keys:
        return {}
    filters = {f"{f}__in": {k[i] for k in keys} for i, f in enumerate(fields)}
    found = {}
    for obj in model.objects.filter(**filters):
        key = tuple(getattr(obj, f) for f in fields)
        if key in keys:
            found[key] = obj
    return found


def _get_or_create_many(model: type[Model], fields: tuple[str, ...], wanted: dict[tuple, dict]) -> dict[tuple, Any]:
    """Fetch rows by key, creating the missing ones with their defaults (safe against a parallel import).
    For the few rows of a store's staff, departments and teams, cached for the whole import."""
    found = _by_keys(model, fields, set(wanted))
    missing = [k for k in wanted if k not in found]
    if missing:
        model.objects.bulk_create(
            [model(**dict(zip(fields, k, strict=True)), **wanted[k]) for k in missing], ignore_conflicts=True
        )
        found |= _by_keys(model, fields, set(missing))
    return found


def _get_or_insert(
    model: type[Model], key_columns: tuple[str, ...], new_rows: dict[tuple, dict[str, Any]], columns: tuple[str, ...]
) -> dict[tuple, tuple]:
    """Insert `new_rows` (key -> column values) and return key -> `columns` for each of them; a row a
    parallel import inserted first is read back instead (its values are then the stored ones)."""
    if not new_rows:
        return {}
    width = len(key_columns)
    inserted = bulk.insert_rows(model, list(new_rows.values()), returning=(*key_columns, *columns), skip_conflicts=True)
    found = {tuple(r[:width]): tuple(r[width:]) for r in inserted}
    lost = set(new_rows) - set(found)
    if lost:
        found |= bulk.fetch_by_keys(model, key_columns, lost, columns)
    return found


def _apply(state: dict[str, Any], values: dict[str, Any], *, keep_when_empty: bool) -> set[str]:
    """Copy the values that differ into `state`; returns the changed names."""
    changed = set()
    for name, value in values.items():
        if keep_when_empty and value in (None, ""):
            continue
        if state[name] != value:
            state[name] = value
            changed.add(name)
    return changed


def _blank(model: type[Model], names: Iterable[str]) -> dict[str, Any]:
    return {name: model._meta.get_field(name).get_default() for name in names}


class _VisitSheet(SheetHandler):
    """What deliveries and repair orders share: stores, staff, customers, vehicles, owners.

    Each batch reads what exists with one query per table, decides in Python (the rules below), and
    writes with one statement per table (crm.importing.bulk): customers, vehicles, ownerships and
    the records themselves.
    """

    staff_role: str = ""
    staff_column: str = ""
    department_kind: str = ""
    model: type[Model]
    number_field: str = ""
    customer_fields: tuple[str, ...] = ()
    vehicle_fields: tuple[str, ...] = ("plate",)
    record_columns: tuple[str, ...] = ()  # every column `record_values` may return
    refreshes_cards = False  # repair orders make a C card, first service and last visit

    def import_batch(self, rows: list[ParsedRow], ctx: ImportContext) -> dict[int, Outcome | RowError]:
        result: dict[int, Outcome | RowError] = {}
        stores = self._stores(rows, ctx, result)
        rows = [r for r in rows if r.row_number not in result]
        if not rows:
            return result
        staff = self._staff(rows, stores, ctx)
        changed_rows: set[int] = set()
        customers = self._customers(rows, stores, changed_rows)
        vehicles = self._vehicles(rows, stores, customers, changed_rows)
        self.save_records(rows, stores, staff, customers, vehicles, ctx, changed_rows, result)
        return result

    # --- stores ---------------------------------------------------------------------------------

    def _stores(self, rows, ctx: ImportContext, result) -> dict[int, Store]:
        by_code = ctx.memo.setdefault("stores", {})
        codes = {r.values.get("store") for r in rows} - {None, ""} - set(by_code)
        if codes:
            by_code |= {s.code: s for s in Store.objects.filter(code__in=codes)}
        default = ctx.default_store
        if default is None and "single_store" not in ctx.memo:
            only = list(Store.objects.filter(is_active=True)[:2])
            ctx.memo["single_store"] = only[0] if len(only) == 1 else None
        default = default or ctx.memo.get("single_store")
        allowed = ctx.cache.get("allowed_store_ids")
        stores = {}
        for row in rows:
            code = row.values.get("store")
            if code:
                store = by_code.get(code)
                if store is None:
                    result[row.row_number] = RowError("门店", _("未知的门店代码：%(v)s") % {"v": code})
                    continue
            elif default is None:
                result[row.row_number] = RowError("门店", _("未填写门店，且导入时未指定门店（--store）"))
                continue
            else:
                store = default
            if allowed is not None and store.pk not in allowed:
                result[row.row_number] = RowError("门店", _("无权导入门店 %(v)s 的数据") % {"v": store.code})
                continue
            stores[row.row_number] = store
        return stores

    # --- staff ----------------------------------------------------------------------------------

    def _staff(self, rows, stores, ctx: ImportContext) -> dict[tuple[int, str], Staff]:
        cache = ctx.memo.setdefault(f"staff:{self.staff_role}", {})
        names = {(stores[r.row_number].pk, r.values[self.staff_column]) for r in rows} - set(cache)
        if names:
            wanted_departments = {(store_id, self.department_kind): {} for store_id, _name in names}
            found = _get_or_create_many(Department, ("store_id", "kind"), wanted_departments)
            departments = {store_id: d for (store_id, _kind), d in found.items()}
            wanted = {k: {"role": self.staff_role, "department": departments.get(k[0])} for k in names}
            cache |= _get_or_create_many(Staff, ("store_id", "name"), wanted)
        return cache

    # --- customers ------------------------------------------------------------------------------

    @staticmethod
    def customer_key(row: ParsedRow, stores) -> tuple[int, str, str]:
        return (stores[row.row_number].pk, row.values["mobile"], row.values["customer_name"])

    def _customers(self, rows, stores, changed_rows: set[int]) -> dict[tuple, int]:
        """Customer id per (store, mobile, name); new customers are created, filled cells copied."""
        key_columns, fields = ("store_id", "mobile", "name"), self.customer_fields
        keys = {self.customer_key(r, stores) for r in rows}
        found = bulk.fetch_by_keys(Customer, key_columns, keys, ("id", *fields))
        states = {key: dict(zip(fields, values[1:], strict=True)) for key, values in found.items()}
        new = {key: _blank(Customer, fields) for key in keys - set(found)}
        dirty: set[tuple] = set()
        for row in rows:
            key = self.customer_key(row, stores)
            state = states[key] if key in states else new[key]
            if _apply(state, {f: row.values.get(f) for f in fields}, keep_when_empty=True):
                changed_rows.add(row.row_number)
                dirty.add(key)
        now = timezone.now()
        bulk.update_rows(
            Customer, (*fields, "updated_at"), [(found[k][0], *states[k].values(), now) for k in dirty if k in found]
        )
        rows_new = {k: dict(zip(key_columns, k, strict=True)) | state for k, state in new.items()}
        ids = {key: values[0] for key, values in found.items()}
        ids |= {key: values[0] for key, values in _get_or_insert(Customer, key_columns, rows_new, ("id",)).items()}
        return ids

    # --- vehicles -------------------------------------------------------------------------------

    def vehicle_values(self, row: ParsedRow) -> dict[str, Any]:
        return {f: row.values.get(f) for f in self.vehicle_fields}

    def vehicle_defaults(self, row: ParsedRow) -> dict[str, Any]:
        return {}

    def event_date(self, row: ParsedRow) -> dt.date:
        raise NotImplementedError

    def mileage(self, row: ParsedRow) -> int | None:
        """The odometer reading a row gives (repair orders); a vehicle's mileage only grows."""
        return None

    def _vehicles(self, rows, stores, customers, changed_rows: set[int]) -> dict[str, int]:
        """Vehicle id per VIN. New vehicles are created with the first row's data; filled cells
        update; a VIN arriving with another customer changes owner (过户) with its history."""
        columns = ("id", "owner_id", "mileage_km", *self.vehicle_fields)
        found = bulk.fetch_by_keys(Vehicle, ("vin",), {(r.values["vin"],) for r in rows}, columns)
        states = {vin: dict(zip(columns, values, strict=True)) for (vin,), values in found.items()}
        new: dict[tuple[str], dict[str, Any]] = {}
        for row in rows:
            vin = row.values["vin"]
            if vin not in states and (vin,) not in new:
                customer_id = customers[self.customer_key(row, stores)]
                new[(vin,)] = {
                    "vin": vin,
                    "store_id": stores[row.row_number].pk,
                    "owner_id": customer_id,
                    "mileage_km": None,
                    **_blank(Vehicle, self.vehicle_fields),
                    **{k: v for k, v in self.vehicle_values(row).items() if v not in (None, "")},
                    **self.vehicle_defaults(row),
                }
        for vin, values in _get_or_insert(Vehicle, ("vin",), new, columns).items():
            states[vin[0]] = dict(zip(columns, values, strict=True))
        current = {
            vehicle_id: (ownership_id, started_on)
            for vehicle_id, ownership_id, started_on in bulk.fetch_where_in(
                VehicleOwnership,
                "vehicle_id",
                [s["id"] for s in states.values()],
                ("vehicle_id", "id", "started_on"),
                ended_on=None,
            )
        }
        closing: dict[int, dt.date] = {}  # ownership id -> ended_on
        periods: dict[int, list[dict[str, Any]]] = {}  # vehicle id -> ownerships to create, in order
        dirty: set[str] = set()
        for row in rows:
            vin = row.values["vin"]
            state = states[vin]
            customer_id = customers[self.customer_key(row, stores)]
            changed = _apply(state, self.vehicle_values(row), keep_when_empty=True)
            event = self.event_date(row)
            pending = periods.get(state["id"])
            since = pending[-1]["started_on"] if pending else current.get(state["id"], (None, None))[1]
            if since is None and state["owner_id"] == customer_id:
                # A vehicle created just now (or before ownership history existed): record its owner.
                periods[state["id"]] = [_period(state["id"], customer_id, event)]
            # An older visit of a previous owner (a historical file) does not take the car back.
            elif state["owner_id"] != customer_id and (since is None or event >= since):
                if pending:
                    pending[-1]["ended_on"] = event
                elif state["id"] in current:
                    closing[current[state["id"]][0]] = event
                periods.setdefault(state["id"], []).append(_period(state["id"], customer_id, event))
                state["owner_id"] = customer_id
                changed.add("owner_id")
            reading = self.mileage(row)
            if reading is not None and (state["mileage_km"] or 0) < reading:
                state["mileage_km"] = reading
                dirty.add(vin)
            if changed:
                changed_rows.add(row.row_number)
                dirty.add(vin)
        bulk.update_rows(VehicleOwnership, ("ended_on",), list(closing.items()))
        bulk.insert_rows(VehicleOwnership, [p for ps in periods.values() for p in ps])
        now = timezone.now()
        written = ("owner_id", "mileage_km", *self.vehicle_fields)
        bulk.update_rows(
            Vehicle, (*written, "updated_at"), [(states[v]["id"], *(states[v][c] for c in written), now) for v in dirty]
        )
        return {vin: state["id"] for vin, state in states.items()}

    # --- the records ----------------------------------------------------------------------------

    def record_values(self, row, store, staff, customer_id, vehicle_id, present: set[str], ctx) -> dict[str, Any]:
        raise NotImplementedError

    def save_records(self, rows, stores, staff, customers, vehicles, ctx, changed_rows, result) -> None:
        present = ctx.cache.get(f"columns:{self.key}", {c.key for c in self.columns})
        key_columns, columns = ("store_id", self.number_field), ("id", *self.record_columns)
        keys = {(stores[r.row_number].pk, r.values[self.number_field]) for r in rows}
        found = bulk.fetch_by_keys(self.model, key_columns, keys, columns)
        existing = {key: dict(zip(columns, values, strict=True)) for key, values in found.items()}
        new: dict[tuple, dict[str, Any]] = {}
        dirty: set[tuple] = set()
        dirty_columns: set[str] = set()
        # The customers whose cards follow from these records (refreshed once, after the last batch).
        card_customers = ctx.cache.setdefault(f"customers:{self.key}", set()) if self.refreshes_cards else set()
        for row in rows:
            store = stores[row.row_number]
            key = (store.pk, row.values[self.number_field])
            customer_id = customers[self.customer_key(row, stores)]
            values = self.record_values(row, store, staff, customer_id, vehicles[row.values["vin"]], present, ctx)
            card_customers.add(customer_id)
            record = existing.get(key) or new.get(key)
            if record is None:
                new[key] = {"store_id": store.pk, self.number_field: key[1], **values}
                result[row.row_number] = Outcome.CREATED
                continue
            if key in existing:
                card_customers.add(record["customer_id"])  # a record moved to another customer
            if row.dropped:  # a bad optional value was dropped: what is stored stays
                values = {
                    k: v for k, v in values.items() if k not in row.dropped and k.removesuffix("_id") not in row.dropped
                }
            changed = _apply(record, values, keep_when_empty=False)
            if changed and key in existing:
                dirty.add(key)
                dirty_columns |= changed
            touched = changed or row.row_number in changed_rows
            result[row.row_number] = Outcome.UPDATED if touched else Outcome.UNCHANGED
        created = _get_or_insert(self.model, key_columns, new, ("id",))
        written = sorted(dirty_columns)
        now = timezone.now()
        changes = [(existing[k]["id"], *(existing[k][c] for c in written), now) for k in dirty]
        bulk.update_rows(self.model, (*written, "updated_at"), changes)
        for record_id in [*(v[0] for v in created.values()), *(record["id"] for record in existing.values())]:
            ctx.touch(self.key, record_id)

    def after_import(self, ctx: ImportContext) -> None:
        """Card type A → C, first service and last visit follow the customers' repair orders: one
        set-based refresh of every customer the file named (changed or not, so that rerunning an
        import that died half-way also refreshes the cards it had not reached)."""
        if self.refreshes_cards:
            customer_refresh_cards_by_ids(customer_ids=ctx.cache.pop(f"customers:{self.key}", set()))


def _period(vehicle_id: int, customer_id: int, started_on: dt.date) -> dict[str, Any]:
    return {"vehicle_id": vehicle_id, "customer_id": customer_id, "started_on": started_on, "ended_on": None}


def _staff_id(staff, store, name) -> int:
    return staff[(store.pk, name)].pk


class DeliveriesSheet(_VisitSheet):
    key = "deliveries"
    zh_name = "交车"
    order = 10
    model = Delivery
    number_field = "delivery_no"
    staff_role = StaffRole.SALES_CONSULTANT
    staff_column = "sales_consultant"
    department_kind = DepartmentKind.SALES
    customer_fields = ("gender", "landline", "id_number", "district", "address")
    # insurance_date comes from the optional 投保日期 / policy_date column (renewal reminders, SPEC §10.2).
    vehicle_fields = ("plate", "series", "model", "insurance_date")
    record_columns = ("delivered_on", "customer_id", "vehicle_id", "sales_consultant_id", "purchase_type")
    columns = (
        Column("delivery_no", "销售协议号", required=True, field=(Delivery, "delivery_no")),
        Column("store", "门店"),
        Column("delivered_on", "交车日期", required=True, parse=p.date),
        Column("customer_name", "客户姓名", required=True, field=(Customer, "name")),
        Column("gender", "性别", parse=_GENDER),
        Column("mobile", "手机", required=True, parse=p.mobile),
        Column("landline", "固定电话", parse=p.landline, field=(Customer, "landline")),
        Column("id_number", "身份证号", parse=p.id_number, field=(Customer, "id_number")),
        Column("district", "区县", field=(Customer, "district")),
        Column("address", "地址", field=(Customer, "address")),
        Column("vin", "车架号", required=True, parse=p.vin),
        Column("plate", "车牌号", parse=p.plate),
        Column("series", "车系", field=(Vehicle, "series")),
        Column("model", "车型", required=True, field=(Vehicle, "model")),
        Column("sales_consultant", "销售顾问", required=True, field=(Staff, "name")),
        Column("purchase_type", "购买类型", parse=p.choice(PurchaseType)),
        Column("policy_date", "投保日期", parse=p.date),
    )

    def event_date(self, row: ParsedRow) -> dt.date:
        return row.values["delivered_on"]

    def vehicle_values(self, row: ParsedRow) -> dict[str, Any]:
        return {**super().vehicle_values(row), "insurance_date": row.values.get("policy_date")}

    def vehicle_defaults(self, row: ParsedRow) -> dict[str, Any]:
        delivered_on = row.values["delivered_on"]
        try:
            warranty_end = delivered_on.replace(year=delivered_on.year + WARRANTY_YEARS)
        except ValueError:  # 29 February
            warranty_end = delivered_on.replace(year=delivered_on.year + WARRANTY_YEARS, day=28)
        return {"purchase_date": delivered_on, "purchased_here": True, "warranty_end": warranty_end}

    def record_values(self, row, store, staff, customer_id, vehicle_id, present, ctx) -> dict[str, Any]:
        v = row.values
        values = {
            "delivered_on": v["delivered_on"],
            "customer_id": customer_id,
            "vehicle_id": vehicle_id,
            "sales_consultant_id": _staff_id(staff, store, v["sales_consultant"]),
        }
        if "purchase_type" in present:
            values["purchase_type"] = v.get("purchase_type") or ""
        return values


class RepairOrdersSheet(_VisitSheet):
    key = "repair_orders"
    zh_name = "工单"
    order = 20
    model = RepairOrder
    number_field = "ro_no"
    staff_role = StaffRole.SERVICE_ADVISOR
    staff_column = "service_advisor"
    department_kind = DepartmentKind.SERVICE
    record_columns = (
        "opened_at", "customer_id", "vehicle_id", "service_advisor_id", "delivered_at", "promised_at", "mileage_km",
        "work_type", "estimate_amount", "amount", "is_rework", "repair_team_id",
    )  # fmt: skip
    refreshes_cards = True
    columns = (
        Column("ro_no", "工单号", required=True, field=(RepairOrder, "ro_no")),
        Column("store", "门店"),
        Column("opened_at", "进厂时间", required=True, parse=p.datetime),
        Column("delivered_at", "交车时间", parse=p.datetime),
        Column("promised_at", "预计交车时间", parse=p.datetime),
        Column("vin", "车架号", required=True, parse=p.vin),
        Column("plate", "车牌号", parse=p.plate),
        Column("customer_name", "客户姓名", required=True, field=(Customer, "name")),
        Column("mobile", "手机", required=True, parse=p.mobile),
        Column("mileage_km", "行驶里程", parse=p.integer, field=(RepairOrder, "mileage_km")),
        Column("service_advisor", "服务顾问", required=True, field=(Staff, "name")),
        Column("repair_team", "维修班组", field=(RepairTeam, "name")),
        Column("work_type", "维修类型", parse=p.choice(WorkType)),
        Column("estimate_amount", "预估金额", parse=p.money, field=(RepairOrder, "estimate_amount")),
        Column("amount", "结算金额", parse=p.money, field=(RepairOrder, "amount")),
        Column("is_rework", "是否返修", parse=p.yes_no),
    )

    def event_date(self, row: ParsedRow) -> dt.date:
        return timezone.localdate(row.values["opened_at"])

    def vehicle_defaults(self, row: ParsedRow) -> dict[str, Any]:
        return {"mileage_km": row.values.get("mileage_km")}

    def mileage(self, row: ParsedRow) -> int | None:
        return row.values.get("mileage_km")

    def _teams(self, rows, stores, ctx) -> dict[tuple[int, str], RepairTeam]:
        cache = ctx.memo.setdefault("teams", {})
        names = {(stores[r.row_number].pk, r.values["repair_team"]) for r in rows if r.values.get("repair_team")}
        names -= set(cache)
        if names:
            cache |= _get_or_create_many(RepairTeam, ("store_id", "name"), {k: {} for k in names})
        return cache

    def save_records(self, rows, stores, staff, customers, vehicles, ctx, changed_rows, result) -> None:
        self._teams(rows, stores, ctx)
        super().save_records(rows, stores, staff, customers, vehicles, ctx, changed_rows, result)

    def record_values(self, row, store, staff, customer_id, vehicle_id, present, ctx) -> dict[str, Any]:
        v = row.values
        values: dict[str, Any] = {
            "opened_at": v["opened_at"],
            "customer_id": customer_id,
            "vehicle_id": vehicle_id,
            "service_advisor_id": _staff_id(staff, store, v["service_advisor"]),
        }
        team = v.get("repair_team")
        optional: dict[str, Any] = {
            "delivered_at": v.get("delivered_at"),
            "promised_at": v.get("promised_at"),
            "mileage_km": v.get("mileage_km"),
            "work_type": v.get("work_type") or "",
            "estimate_amount": v.get("estimate_amount"),
            "amount": v.get("amount"),
            "is_rework": bool(v.get("is_rework")),
            "repair_team": ctx.memo["teams"][(store.pk, team)].pk if team else None,
        }
        # A column missing from the file leaves the stored value alone; an empty cell clears it.
        values |= {("repair_team_id" if k == "repair_team" else k): val for k, val in optional.items() if k in present}
        return values


def crm_sheets() -> Iterable[SheetHandler]:
    return (DeliveriesSheet(), RepairOrdersSheet())
