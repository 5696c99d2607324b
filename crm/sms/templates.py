"""Rendering of SMS templates (SmsTemplate): `{placeholder}` replaced from a context dict."""

import re

from crm.sms.models import SmsTemplate

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_sms_text(text: str, context: dict[str, object]) -> str:
    """Replace `{name}` by context[name]; unknown names stay as typed (no KeyError, no format spec)."""
    return _PLACEHOLDER.sub(lambda m: str(context[m.group(1)]) if m.group(1) in context else m.group(0), text)


def sms_template_body(*, code: str, default: str = "") -> str:
    """The text of template `code`, or `default` when no such template exists: read once by a
    sweep that renders it for many messages."""
    body = SmsTemplate.objects.filter(code=code).values_list("body", flat=True).first()
    return body if body is not None else default


def sms_template_render(*, code: str, context: dict[str, object], default: str = "") -> str:
    """The template `code` rendered; `default` (rendered too) when no such template exists."""
    return render_sms_text(sms_template_body(code=code, default=default), context)


# The placeholders a template may use, with the sample the edit page previews them with.
PLACEHOLDERS: dict[str, str] = {
    "customer_name": "张伟",
    "salutation": "张先生",
    "store_name": "六安鑫宝丰田",
    "store_phone": "0564-5367999",
    "plate": "皖N12345",
    "date": "2026-05-01",
    "festival": "中秋",
    # The customer's own survey link (surveylink): the one template that carries it.
    "link": "https://cr.example.com/s/Xq3v9LkP0aB7cD2e/",
}


def store_placeholders(store) -> dict[str, str]:
    """{store_name} and {store_phone} of a store: what every message of that store says, and what
    the edit page previews (the store's own number, not the sample's)."""
    return {"store_name": store.name, "store_phone": store.phone}


def preview_context(store=None) -> dict[str, str]:
    """The values a template is previewed with: the samples, with the user's store's name and phone."""
    context = dict(PLACEHOLDERS)
    if store is not None:
        context.update({k: v for k, v in store_placeholders(store).items() if v})
    return context


# One SMS carries 70 Chinese characters; a longer text goes as several (and costs as several).
SEGMENT_CHARS = 70


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def sms_segments(text: str) -> int:
    """How many SMS a text takes: 70 characters in one, 67 per part once it is split."""
    n = len(text)
    return 1 if n <= SEGMENT_CHARS else -(-n // 67)
