"""What a callback task's SMS may say: the placeholders of the SMS survey and of the survey link
(surveylink), filled from the task. Its own module because callbacks.sms imports surveylink, and
surveylink fills its message from here."""

from django.utils import timezone

from callbacks.models import CallbackTask
from crm.sms.templates import store_placeholders


def callback_sms_context(task: CallbackTask, **extra: str) -> dict[str, str]:
    """The customer's name and salutation, the store's name and phone, the plate and today's date;
    `extra` adds a message's own placeholders (the survey link's {link})."""
    customer = task.customer
    return {
        "customer_name": customer.name,
        "salutation": customer.salutation,
        **store_placeholders(task.store),
        "plate": task.vehicle.plate if task.vehicle_id else "",
        "date": timezone.localdate().isoformat(),
        **extra,
    }
