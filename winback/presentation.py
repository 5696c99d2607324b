"""What the win-back pages show of a row: masked numbers, labels, the last visit of an at-risk customer."""

from django.urls import reverse

from crm.masking import mask_phone
from retention.choices import OutreachResult, ReasonCategory
from winback.rules import last_visit_on

RESULTS = dict(OutreachResult.choices)
REASONS = dict(ReasonCategory.choices)


def phone(value: str, *, full: bool) -> str:
    return value if full else mask_phone(value)


def entry_rows(entries, *, full_numbers: bool) -> list[dict]:
    """Table 16's columns for the list page (entries annotated by selectors.with_latest_contact)."""
    base = reverse("winback:entry_list")  # an entry's page is <list>/<id>/ (winback.urls)
    return [
        {
            "entry": e,
            "url": f"{base}{e.pk}/",
            "customer": e.customer.name,
            "phone": phone(e.customer.mobile, full=full_numbers),
            "store": e.store.name,
            "last_visit_on": e.last_visit_on,
            "advisor": e.service_advisor.name if e.service_advisor_id else "",
            "plate": e.vehicle.plate if e.vehicle_id else "",
            "latest_at": e.latest_at,
            "latest_by": e.latest_by or "",
            "latest_result": RESULTS.get(e.latest_result, "") if e.latest_result else "",
            "latest_reason": REASONS.get(e.latest_reason, "") if e.latest_reason else "",
            "latest_words": e.latest_words or "",
            "recovered_on": e.recovered_on,
        }
        for e in entries
    ]


def at_risk_rows(customers, *, full_numbers: bool) -> list[dict]:
    rows = []
    for c in customers:
        rows.append(
            {
                "customer": c,
                "phone": phone(c.mobile, full=full_numbers),
                "store": c.store.name,
                "last_visit_on": last_visit_on(last_ro_at=c.last_ro_at, last_delivery_on=c.last_delivery_on),
            }
        )
    return rows
