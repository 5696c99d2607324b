"""How a verbatim is shown: phone and id numbers the customer said are masked for users who may not
see them (crm.masking, SPEC §12) — the GM reads what customers said, not their numbers."""

from crm.masking import can_see_full_numbers, mask_phone, mask_text


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
