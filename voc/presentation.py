"""How a verbatim is shown: phone and id numbers the customer said are masked for users who may not
see them (crm.masking, SPEC §12) — the GM reads what customers said, not their numbers."""

import re

from crm.masking import can_see_full_numbers, mask_id_number, mask_phone

# An id number, a mobile or a landline inside free text (digits not glued to other digits).
_NUMBERS = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def mask_text(text: str) -> str:
    def replace(match: re.Match) -> str:
        value = match.group(0)
        return mask_id_number(value) if len(value) == 18 else mask_phone(value)

    return _NUMBERS.sub(replace, text or "")


def entry_rows(entries, *, user) -> list[dict]:
    """The drill-down's rows: each entry with its text and its customer's mobile as the user may see
    them, and its topics (from the prefetched mentions)."""
    full = can_see_full_numbers(user)
    rows = []
    for entry in entries:
        topics: dict[str, int] = {}
        for m in entry.mentions.all():
            topics[m.topic.name] = min(topics.get(m.topic.name, 1), m.polarity)
        customer = entry.customer
        rows.append(
            {
                "entry": entry,
                "text": entry.text if full else mask_text(entry.text),
                "customer_name": customer.name if customer else "",
                "customer_id": customer.pk if customer else None,
                "mobile": (customer.mobile if full else mask_phone(customer.mobile)) if customer else "",
                "topics": sorted(topics.items()),
            }
        )
    return rows
