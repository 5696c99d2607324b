"""Writes of the customer files. Views, commands and tasks call these; they hold the rules."""

from django.db import transaction

from crm.models import Customer


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
