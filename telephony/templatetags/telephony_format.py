"""Template filters of the telephone pages."""

from django import template

from telephony.selectors import call_status_text

register = template.Library()


@register.filter
def call_status(call) -> str:
    """`{{ call|call_status }}`: the call's status text, the same as its timeline entry's."""
    return call_status_text(call)
