"""Formatting of the dashboard's figures: rates as percentages, empty where the rate is empty."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def as_of(value) -> str:
    """When figures were computed: the time alone if today, else with the date."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return date_format(local, "H:i" if local.date() == timezone.localdate() else "Y-m-d H:i")


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.8523 -> '85.2%'; None (a zero denominator) -> '—'."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def pct_delta(current, previous) -> str:
    """The change between two rates in percentage points, signed; '' when either is empty."""
    if current is None or previous is None:
        return ""
    delta = (float(current) - float(previous)) * 100
    return f"{delta:+.1f}"


@register.filter
def pvalue(value) -> str:
    if value is None:
        return ""
    return f"{value:.1e}" if value < 0.001 else f"{value:.3f}"


@register.filter
def chance(value) -> str:
    """A p-value as a chance a general manager reads: '< 0.1%' or '0.4%'."""
    if value is None:
        return ""
    return "< 0.1%" if value < 0.001 else f"{value * 100:.1f}%"
