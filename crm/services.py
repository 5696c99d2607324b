"""Writes of the customer files. Views, commands and tasks call these; they hold the rules."""

from django.db import transaction
from django.db.models import Case, Exists, Max, Min, OuterRef, QuerySet, Subquery, Value, When

from crm.choices import CardType, DepartmentKind
from crm.models import Customer, Department, RepairOrder, Store


@transaction.atomic
def customer_update_section(*, customer: Customer, data: dict) -> Customer:
    """Save the fields of one card section; django-auditlog records who changed what (old → new).

    Only the given fields are written, so an edit of the contact section never overwrites a
    concurrent import's change to the vehicle or visit fields.
    """
    for name, value in data.items():
        setattr(customer, name, value)
    customer.save(update_fields=[*data.keys(), "updated_at"])
    return customer


def store_add(*, code: str, name: str) -> tuple[Store, bool]:
    """Create a store with its six departments (SPEC §4); idempotent — a second call renames at most.

    Returns (store, created).
    """
    with transaction.atomic():
        store, created = Store.objects.get_or_create(code=code, defaults={"name": name})
        if not created and store.name != name:
            store.name = name
            store.save(update_fields=["name"])
        Department.objects.bulk_create(
            [Department(store=store, kind=kind) for kind in DepartmentKind.values], ignore_conflicts=True
        )
    return store, created


def customer_refresh_cards(*, customers: QuerySet[Customer]) -> int:
    """Derive card type (A → C after the first repair order), first service and last visit from history.

    One UPDATE with correlated subqueries, so that it scales to an import of 100,000 rows.
    Returns the number of customers updated.
    """
    ros = RepairOrder.objects.filter(customer=OuterRef("pk")).order_by()
    first = ros.values("customer").annotate(at=Min("opened_at")).values("at")
    last = ros.values("customer").annotate(at=Max("opened_at")).values("at")
    return customers.update(
        card_type=Case(When(Exists(ros), then=Value(CardType.C)), default=Value(CardType.A)),
        first_service_at=Subquery(first),
        last_visit_at=Subquery(last),
    )
