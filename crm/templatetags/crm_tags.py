"""Template filters of the customer pages; the masking rule itself lives in crm.masking."""

from django import template
from django.utils.safestring import mark_safe

from crm.masking import mask_id_number, mask_phone, mask_text
from crm.page_panels import render_page_panels

register = template.Library()


@register.filter
def phone(value: str | None, full: bool) -> str:
    """`{{ customer.mobile|phone:full_numbers }}`: the number, masked unless `full` is true."""
    return (value or "") if full else mask_phone(value)


@register.filter
def said(value: str | None, full: bool) -> str:
    """`{{ alert.reasons|join:"；"|said:full_numbers }}`: words a customer said, with the phone and id
    numbers in them masked unless `full` is true."""
    return (value or "") if full else mask_text(value)


@register.filter
def id_number(value: str | None, full: bool) -> str:
    return (value or "") if full else mask_id_number(value)


@register.simple_tag(takes_context=True)
def page_panels(context, slot: str, obj=None) -> str:
    """`{% page_panels "callback_call" task %}`: what other apps add to this page (crm.page_panels)."""
    request = context.get("request")
    if request is None:
        return ""
    return mark_safe(render_page_panels(request, slot, obj))
