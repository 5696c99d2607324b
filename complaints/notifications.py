"""In-app notifications (站内通知) and their e-mail, each exactly once (SPEC §8, issue 4 item 4).

`notify` is what the complaint timers and workflow call. Exactly-once comes from the database:
the unique (recipient, dedup_key) constraint with INSERT … ON CONFLICT DO NOTHING RETURNING id, so
two overlapping timer sweeps create one row and only the sweep that inserted it learns its id. The
e-mail of a new notification is claimed with a conditional UPDATE of `emailed_at` (healthchecks'
outbox claim) after the transaction commits, so a rolled-back sweep sends nothing and a retry never
sends twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from complaints.models.notifications import Notification
from crm.models import User

logger = logging.getLogger(__name__)

BELL_SIZE = 8  # the latest notifications shown in the bell's dropdown


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedup_key: str,
    email: bool = True,
) -> int:
    """Create one notification per recipient unless (recipient, dedup_key) exists; return how many
    are new. New ones are e-mailed after commit when `email` is true and the recipient has an address."""
    recipient_ids = sorted({user.pk for user in recipients if user is not None})
    if not recipient_ids:
        return 0
    now = timezone.now()
    table = Notification._meta.db_table
    rows = [(rid, kind, title[:200], body, url[:300], dedup_key[:200], now) for rid in recipient_ids]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (recipient_id, kind, title, body, url, dedup_key, created_at) "
        f"VALUES {placeholders} ON CONFLICT (recipient_id, dedup_key) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        new_ids = [row[0] for row in cursor.fetchall()]
    if new_ids and email:
        transaction.on_commit(partial(notifications_send_email, notification_ids=new_ids))
    return len(new_ids)


def notifications_send_email(*, notification_ids: list[int]) -> int:
    """E-mail each notification not e-mailed yet; returns how many were sent. Safe to run twice."""
    sent = 0
    notifications = Notification.objects.filter(id__in=notification_ids, emailed_at=None).select_related("recipient")
    for notification in notifications:
        address = notification.recipient.email
        if not address:
            continue
        # Claim first: only the run whose UPDATE matched sends, so a retry or a parallel run cannot.
        claimed = Notification.objects.filter(id=notification.id, emailed_at=None).update(emailed_at=timezone.now())
        if not claimed:
            continue
        try:
            send_mail(
                subject=notification.title,
                message=_email_body(notification),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        except Exception:
            # Release the claim so that an operator's retry can send it; the in-app copy stands.
            Notification.objects.filter(id=notification.id).update(emailed_at=None)
            logger.exception("notification e-mail %s failed", notification.id)
            continue
        sent += 1
    return sent


def _email_body(notification: Notification) -> str:
    parts = [notification.body] if notification.body else []
    if notification.url:
        base = getattr(settings, "SITE_URL", "").rstrip("/")
        parts.append(f"{base}{notification.url}")
    return "\n\n".join(parts) or notification.title


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark the user's own notification read (404 for anyone else's) and return it."""
    notification = get_object_or_404(Notification, id=notification_id, recipient=user)
    if notification.read_at is None:
        Notification.objects.filter(id=notification.id, read_at=None).update(read_at=timezone.now())
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
