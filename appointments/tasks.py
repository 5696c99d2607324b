"""Celery tasks of the appointments: thin, safe to run twice."""

from celery import shared_task

from appointments.sweeps import appointments_mark_no_shows, appointments_send_eve_reminders


@shared_task
def appointments_no_shows() -> dict:
    """Yesterday's (and any earlier) bookings still booked become no-shows with a follow-up call."""
    return appointments_mark_no_shows()


@shared_task
def appointments_eve_sms() -> int:
    """The day-before SMS reminder of tomorrow's bookings (once per booking)."""
    return appointments_send_eve_reminders()
