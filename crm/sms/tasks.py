"""Celery tasks of the SMS gateway: thin, take ids, safe to run twice."""

from celery import shared_task

from crm.sms import services


@shared_task
def sms_deliver(message_id: int) -> bool:
    return services.sms_deliver(message_id=message_id)


@shared_task
def sms_flush_queue() -> int:
    """Beat: send what quiet hours held back (and anything whose on-commit send was lost)."""
    return services.sms_flush_queue()
