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
from crm.importing import parsers as p
from crm.importing.registry import Column, ImportContext, Outcome, ParsedRow, RowError, SheetHandler
from crm.models import Customer, Delivery, Department, RepairOrder, RepairTeam, Staff, Store, Vehicle, VehicleOwnership
from crm.services import customer_refresh_cards

WARRANTY_YEARS = 2
# bulk_update writes CASE WHEN id = … per row; PostgreSQL's cost grows with the square of the batch.
BULK_UPDATE_BATCH = 200
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
    """Fetch rows by key, creating the missing ones with their defaults (safe against a parallel import)."""
    found = _by_keys(model, fields, set(wanted))
    missing = [k for k in wanted if k not in found]
    if missing:
        model.objects.bulk_create(
            [model(**dict(zip(fields, k, strict=True)), **wanted[k]) for k in missing], ignore_conflicts=True
        )
        found |= _by_keys(model, fields, set(missing))
    return found


def _set_changed(obj: Model, values: dict[str, Any], *, keep_when_empty: bool) -> set[str]:
    """Assign the values that differ; returns the changed field names."""
    changed = set()
    for name, value in values.items():
        if keep_when_empty and value in (None, ""):
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.add(name)
    return changed


class _VisitSheet(SheetHandler):
    """What deliveries and repair orders share: stores, staff, customers, vehicles, owners."""

    staff_role: str = ""
    staff_column: str = ""
    department_kind: str = ""
    model: type[Model]
    number_field: str = ""

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
        by_code = ctx.cache.setdefault("stores", {})
        codes = {r.values.get("store") for r in rows} - {None, ""} - set(by_code)
        if codes:
            by_code |= {s.code: s for s in Store.objects.filter(code__in=codes)}
        default = ctx.default_store
        if default is None and "single_store" not in ctx.cache:
            only = list(Store.objects.filter(is_active=True)[:2])
            ctx.cache["single_store"] = only[0] if len(only) == 1 else None
        default = default or ctx.cache.get("single_store")
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
        cache = ctx.cache.setdefault(f"staff:{self.staff_role}", {})
        names = {(stores[r.row_number].pk, r.values[self.staff_column]) for r in rows} - set(cache)
        if names:
            wanted_departments = {(store_id, self.department_kind): {} for store_id, _name in names}
            found = _get_or_create_many(Department, ("store_id", "kind"), wanted_departments)
            departments = {store_id: d for (store_id, _kind), d in found.items()}
            wanted = {k: {"role": self.staff_role, "department": departments.get(k[0])} for k in names}
            cache |= _get_or_create_many(Staff, ("store_id", "name"), wanted)
        return cache

    # --- customers ------------------------------------------------------------------------------

    customer_fields: tuple[str, ...] = ()

    def _customers(self, rows, stores, changed_rows: set[int]) -> dict[tuple, Customer]:
        keys = {(stores[r.row_number].pk, r.values["mobile"], r.values["customer_name"]) for r in rows}
        customers = _get_or_create_many(Customer, ("store_id", "mobile", "name"), {k: {} for k in keys})
        dirty: dict[int, tuple[Customer, set[str]]] = {}
        for row in rows:
            key = (stores[row.row_number].pk, row.values["mobile"], row.values["customer_name"])
            customer = customers[key]
            values = {f: row.values.get(f) for f in self.customer_fields}
            changed = _set_changed(customer, values, keep_when_empty=True)
            if changed:
                changed_rows.add(row.row_number)
                entry = dirty.setdefault(customer.pk, (customer, set()))
                entry[1].update(changed)
        if dirty:
            fields = set().union(*(f for _c, f in dirty.values()))
            Customer.objects.bulk_update([c for c, _f in dirty.values()], [*fields], batch_size=BULK_UPDATE_BATCH)
        return customers

    # --- vehicles -------------------------------------------------------------------------------

    def vehicle_values(self, row: ParsedRow) -> dict[str, Any]:
        return {"plate": row.values.get("plate")}

    def vehicle_defaults(self, row: ParsedRow) -> dict[str, Any]:
        return {}

    def event_date(self, row: ParsedRow) -> dt.date:
        raise NotImplementedError

    def _vehicles(self, rows, stores, customers, changed_rows: set[int]) -> dict[str, Vehicle]:
        wanted = {}
        for row in rows:
            customer = customers[(stores[row.row_number].pk, row.values["mobile"], row.values["customer_name"])]
            wanted.setdefault(
                (row.values["vin"],),
                {
                    "store": stores[row.row_number],
                    "owner": customer,
                    **self.vehicle_values(row),
                    **self.vehicle_defaults(row),
                },
            )
        vehicles = {k[0]: v for k, v in _get_or_create_many(Vehicle, ("vin",), wanted).items()}
        owned_since = dict(
            VehicleOwnership.objects.filter(
                vehicle_id__in=[v.pk for v in vehicles.values()], ended_on__isnull=True
            ).values_list("vehicle_id", "started_on")
        )
        dirty: dict[int, Vehicle] = {}
        dirty_fields: set[str] = set()
        handovers: dict[int, VehicleOwnership] = {}
        closing: dict[dt.date, set[int]] = {}
        for row in rows:
            vehicle = vehicles[row.values["vin"]]
            customer = customers[(stores[row.row_number].pk, row.values["mobile"], row.values["customer_name"])]
            changed = _set_changed(vehicle, self.vehicle_values(row), keep_when_empty=True)
            since = owned_since.get(vehicle.pk)
            if since is None and vehicle.owner_id == customer.pk:
                # A vehicle created just now (or before ownership history existed): record its owner.
                handovers[vehicle.pk] = VehicleOwnership(
                    vehicle=vehicle, customer=customer, started_on=self.event_date(row)
                )
                owned_since[vehicle.pk] = self.event_date(row)
            # An older visit of a previous owner (a historical file) does not take the car back.
            elif vehicle.owner_id != customer.pk and (since is None or self.event_date(row) >= since):
                if since is not None:
                    closing.setdefault(self.event_date(row), set()).add(vehicle.pk)
                vehicle.owner = customer
                owned_since[vehicle.pk] = self.event_date(row)
                handovers[vehicle.pk] = VehicleOwnership(
                    vehicle=vehicle, customer=customer, started_on=self.event_date(row)
                )
                changed.add("owner")
            if changed:
                changed_rows.add(row.row_number)
                dirty[vehicle.pk] = vehicle
                dirty_fields |= changed
        for ended_on, vehicle_ids in closing.items():
            VehicleOwnership.objects.filter(vehicle_id__in=vehicle_ids, ended_on__isnull=True).update(ended_on=ended_on)
        if handovers:
            VehicleOwnership.objects.bulk_create(handovers.values())
        if dirty:
            for vehicle in dirty.values():
                vehicle.updated_at = timezone.now()
            Vehicle.objects.bulk_update(dirty.values(), [*dirty_fields, "updated_at"], batch_size=BULK_UPDATE_BATCH)
        return vehicles

    # --- the records ----------------------------------------------------------------------------

    def record_values(self, row, store, staff, customer, vehicle, present: set[str], ctx) -> dict[str, Any]:
        raise NotImplementedError

    def save_records(self, rows, stores, staff, customers, vehicles, ctx, changed_rows, result) -> None:
        present = ctx.cache.get(f"columns:{self.key}", {c.key for c in self.columns})
        keys = {(stores[r.row_number].pk, r.values[self.number_field]) for r in rows}
        existing = _by_keys(self.model, ("store_id", self.number_field), keys)
        new: dict[tuple, Model] = {}
        dirty: dict[tuple, Model] = {}
        dirty_fields: set[str] = set()
        for row in rows:
            store = stores[row.row_number]
            key = (store.pk, row.values[self.number_field])
            customer = customers[(store.pk, row.values["mobile"], row.values["customer_name"])]
            vehicle = vehicles[row.values["vin"]]
            values = self.record_values(row, store, staff, customer, vehicle, present, ctx)
            record = existing.get(key) or new.get(key)
            if record is None:
                new[key] = self.model(store=store, **{self.number_field: key[1]}, **values)
                result[row.row_number] = Outcome.CREATED
                continue
            changed = _set_changed(record, values, keep_when_empty=False)
            if changed and key in existing:
                dirty[key] = record
                dirty_fields |= changed
            touched = changed or row.row_number in changed_rows
            result[row.row_number] = Outcome.UPDATED if touched else Outcome.UNCHANGED
        if new:
            self.model.objects.bulk_create(new.values(), ignore_conflicts=True)
            # Primary keys: PostgreSQL returns none with ignore_conflicts, so read them back.
            created = _by_keys(self.model, ("store_id", self.number_field), set(new))
        else:
            created = {}
        if dirty:
            now = timezone.now()
            for record in dirty.values():
                record.updated_at = now
            self.model.objects.bulk_update(dirty.values(), [*dirty_fields, "updated_at"], batch_size=BULK_UPDATE_BATCH)
        for record in [*created.values(), *dirty.values()]:
            ctx.touch(self.key, record.pk)
        self.after_batch(rows, stores, customers, ctx)

    def after_batch(self, rows, stores, customers, ctx) -> None:
        pass


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
    columns = (
        Column("delivery_no", "销售协议号", required=True),
        Column("store", "门店"),
        Column("delivered_on", "交车日期", required=True, parse=p.date),
        Column("customer_name", "客户姓名", required=True),
        Column("gender", "性别", parse=_GENDER),
        Column("mobile", "手机", required=True, parse=p.mobile),
        Column("landline", "固定电话", parse=p.landline),
        Column("id_number", "身份证号", parse=p.id_number),
        Column("district", "区县"),
        Column("address", "地址"),
        Column("vin", "车架号", required=True, parse=p.vin),
        Column("plate", "车牌号", parse=p.plate),
        Column("series", "车系"),
        Column("model", "车型", required=True),
        Column("sales_consultant", "销售顾问", required=True),
        Column("purchase_type", "购买类型", parse=p.choice(PurchaseType)),
    )

    def event_date(self, row: ParsedRow) -> dt.date:
        return row.values["delivered_on"]

    def vehicle_values(self, row: ParsedRow) -> dict[str, Any]:
        v = row.values
        return {"plate": v.get("plate"), "series": v.get("series"), "model": v.get("model")}

    def vehicle_defaults(self, row: ParsedRow) -> dict[str, Any]:
        delivered_on = row.values["delivered_on"]
        try:
            warranty_end = delivered_on.replace(year=delivered_on.year + WARRANTY_YEARS)
        except ValueError:  # 29 February
            warranty_end = delivered_on.replace(year=delivered_on.year + WARRANTY_YEARS, day=28)
        return {"purchase_date": delivered_on, "purchased_here": True, "warranty_end": warranty_end}

    def record_values(self, row, store, staff, customer, vehicle, present, ctx) -> dict[str, Any]:
        v = row.values
        values = {
            "delivered_on": v["delivered_on"],
            "customer_id": customer.pk,
            "vehicle_id": vehicle.pk,
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
    customer_fields = ()
    columns = (
        Column("ro_no", "工单号", required=True),
        Column("store", "门店"),
        Column("opened_at", "进厂时间", required=True, parse=p.datetime),
        Column("delivered_at", "交车时间", parse=p.datetime),
        Column("promised_at", "预计交车时间", parse=p.datetime),
        Column("vin", "车架号", required=True, parse=p.vin),
        Column("plate", "车牌号", parse=p.plate),
        Column("customer_name", "客户姓名", required=True),
        Column("mobile", "手机", required=True, parse=p.mobile),
        Column("mileage_km", "行驶里程", parse=p.integer),
        Column("service_advisor", "服务顾问", required=True),
        Column("repair_team", "维修班组"),
        Column("work_type", "维修类型", parse=p.choice(WorkType)),
        Column("estimate_amount", "预估金额", parse=p.money),
        Column("amount", "结算金额", parse=p.money),
        Column("is_rework", "是否返修", parse=p.yes_no),
    )

    def event_date(self, row: ParsedRow) -> dt.date:
        return timezone.localdate(row.values["opened_at"])

    def vehicle_values(self, row: ParsedRow) -> dict[str, Any]:
        return {"plate": row.values.get("plate")}

    def vehicle_defaults(self, row: ParsedRow) -> dict[str, Any]:
        return {"mileage_km": row.values.get("mileage_km")}

    def _teams(self, rows, stores, ctx) -> dict[tuple[int, str], RepairTeam]:
        cache = ctx.cache.setdefault("teams", {})
        names = {(stores[r.row_number].pk, r.values["repair_team"]) for r in rows if r.values.get("repair_team")}
        names -= set(cache)
        if names:
            cache |= _get_or_create_many(RepairTeam, ("store_id", "name"), {k: {} for k in names})
        return cache

    def save_records(self, rows, stores, staff, customers, vehicles, ctx, changed_rows, result) -> None:
        self._teams(rows, stores, ctx)
        super().save_records(rows, stores, staff, customers, vehicles, ctx, changed_rows, result)

    def record_values(self, row, store, staff, customer, vehicle, present, ctx) -> dict[str, Any]:
        v = row.values
        values: dict[str, Any] = {
            "opened_at": v["opened_at"],
            "customer_id": customer.pk,
            "vehicle_id": vehicle.pk,
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
            "repair_team": ctx.cache["teams"][(store.pk, team)].pk if team else None,
        }
        # A column missing from the file leaves the stored value alone; an empty cell clears it.
        values |= {("repair_team_id" if k == "repair_team" else k): val for k, val in optional.items() if k in present}
        return values

    def after_batch(self, rows, stores, customers, ctx) -> None:
        """Card type A → C, first service and last visit follow the customer's repair orders."""
        ids = {c.pk for c in customers.values()}
        customer_refresh_cards(customers=Customer.objects.filter(pk__in=ids))
        mileage: dict[str, int] = {}
        for row in rows:
            if row.values.get("mileage_km") is not None:
                vin = row.values["vin"]
                mileage[vin] = max(mileage.get(vin, 0), row.values["mileage_km"])
        _raise_mileage(mileage)


def _raise_mileage(mileage: dict[str, int]) -> None:
    """A vehicle's mileage only grows: the latest RO's reading, never an older one."""
    if not mileage:
        return
    dirty = []
    for vehicle in Vehicle.objects.filter(vin__in=mileage).only("pk", "vin", "mileage_km"):
        if (vehicle.mileage_km or 0) < mileage[vehicle.vin]:
            vehicle.mileage_km = mileage[vehicle.vin]
            dirty.append(vehicle)
    if dirty:
        Vehicle.objects.bulk_update(dirty, ["mileage_km"], batch_size=BULK_UPDATE_BATCH)


def crm_sheets() -> Iterable[SheetHandler]:
    return (DeliveriesSheet(), RepairOrdersSheet())
