"""Rendering of SMS templates (SmsTemplate): `{placeholder}` replaced from a context dict."""

import re

from crm.sms.models import SmsTemplate

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_sms_text(text: str, context: dict[str, object]) -> str:
    """Replace `{name}` by context[name]; unknown names stay as typed (no KeyError, no format spec)."""
    return _PLACEHOLDER.sub(lambda m: str(context[m.group(1)]) if m.group(1) in context else m.group(0), text)


def sms_template_render(*, code: str, context: dict[str, object], default: str = "") -> str:
    """The template `code` rendered; `default` (rendered too) when no such template exists."""
    body = SmsTemplate.objects.filter(code=code).values_list("body", flat=True).first()
    return render_sms_text(body if body is not None else default, context)
