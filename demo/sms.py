"""seed_demo step: a few reminder SMS from the seed 001 templates and replies, one waiting for a
person, so that the outbox is not empty in a demo (idempotent: fixed keys)."""

import datetime

from django.utils import timezone

from crm.models import Customer
from crm.sms.services import sms_deliver, sms_receive, sms_send
from crm.sms.templates import sms_template_render, store_placeholders

_REASONS = ("first_maintenance", "periodic_maintenance", "insurance", "annual_inspection")


def seed_sms_demo(ctx) -> None:
    customers = list(
        Customer.objects.filter(may_sms=True, mobile_invalid=False).select_related("store").order_by("id")[:16]
    )
    today = timezone.localdate()
    for i, customer in enumerate(customers):
        reason = _REASONS[i % len(_REASONS)]
        at = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=i % 5 + 1), datetime.time(10, 0))
        )
        vehicle = customer.vehicles.first()
        body = sms_template_render(
            code=reason,
            context={
                "customer_name": customer.name,
                "salutation": customer.salutation,
                **store_placeholders(customer.store),
                "plate": vehicle.plate if vehicle else "",
                "date": (today + datetime.timedelta(days=20)).isoformat(),
            },
        )
        message = sms_send(
            store=customer.store,
            customer=customer,
            mobile=customer.mobile,
            body=body,
            reason=reason,
            related_key=f"demo:{reason}:{customer.pk}",
            now=at,
        )
        sms_deliver(message_id=message.pk, now=at)
    replies = ["好的，周六过去", "请问这次保养大概多少钱？"]
    for i, (customer, text) in enumerate(zip(customers, replies, strict=False)):
        received = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=i % 5 + 1), datetime.time(11, 30))
        )
        sms_receive(mobile=customer.mobile, text=text, received_at=received, provider_id=f"demo-in-{i}")
    ctx.stdout.write(f"sms: {len(customers)} demo reminders, {len(replies)} replies")
