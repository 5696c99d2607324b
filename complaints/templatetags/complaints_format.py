"""Template filters of the complaints app."""

from django import template

from complaints.choices import SlaColour

register = template.Library()


@register.filter
def sla_colour_label(colour: str) -> str:
    """白 / 黄 / 红 / 灰 (in the user's language) for an annotated `sla_colour` — the choices' label."""
    return str(SlaColour(colour).label) if colour in SlaColour.values else ""
