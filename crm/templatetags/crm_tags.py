"""Template filters of the customer pages; the masking rule itself lives in crm.masking."""

from django import template

from crm.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def phone(value: str | None, full: bool) -> str:
    """`{{ customer.mobile|phone:full_numbers }}`: the number, masked unless `full` is true."""
    return (value or "") if full else mask_phone(value)


@register.filter
def id_number(value: str | None, full: bool) -> str:
    return (value or "") if full else mask_id_number(value)
