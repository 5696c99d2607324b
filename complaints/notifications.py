"""In-app notifications (站内通知) and their e-mail, each exactly once (SPEC §8, issue 4 item 4).

`notify` (one message) and `notify_many` (many) create notifications. The SLA sweep inserts its own
in the statement that claims the cases on PostgreSQL, and with `notifications_create` on other
databases (complaints.sweeps). Exactly-once comes from the database: the unique (recipient,
dedup_key) constraint with INSERT … ON CONFLICT DO NOTHING RETURNING id, so two overlapping writers
create one row and only the one that inserted it learns its id; one such statement per 5,000 rows.
The e-mails of new notifications are queued after the transaction commits, so a rolled-back sweep
sends nothing; a row to e-mail is inserted with `email_pending`, so that when the broker is down at
that moment the beat sweep (`notifications_email_pending`) queues it later; each is claimed with
a conditional UPDATE of `emailed_at` (healthchecks' outbox claim) before it is sent, so a retry
never sends twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from complaints.choices import NOTIFICATION_TITLES, render_title
from complaints.models.notifications import Notification
from crm.models import User
from crm.operations.stuck import StuckProbe
from crm.tasking import enqueue

logger = logging.getLogger(__name__)

BELL_SIZE = 8  # the latest notifications shown in the bell's dropdown
INSERT_ROWS = 5000  # rows per INSERT statement
EMAIL_BATCH = 500  # notifications claimed and e-mailed per task / per claim UPDATE


def batched(iterable: Iterable, n: int):
    """itertools.batched of Python 3.12."""
    iterator = iter(iterable)
    while chunk := tuple(islice(iterator, n)):
        yield chunk


@dataclass(frozen=True)
class Message:
    """One notification for several recipients (users, user ids, or None for nobody).

    A kind of `NOTIFICATION_TITLES` is shown from its msgid and `params` in the reader's language;
    `title` (filled in Chinese from them when empty) is what rows without parameters show."""

    recipients: Iterable[User | int | None]
    kind: str
    dedup_key: str
    title: str = ""
    body: str = ""
    url: str = ""
    params: dict = field(default_factory=dict)

    def stored_title(self) -> str:
        if self.title or self.kind not in NOTIFICATION_TITLES:
            return self.title
        with translation.override(settings.LANGUAGE_CODE):
            return render_title(self.kind, self.params) or ""


def notification_title(notification: Notification) -> str:
    """What a notification says in the active language: the one renderer of the bell, the list and
    the e-mail. Rows stored before kinds had parameters show their stored (Chinese) title."""
    return notification.shown_title


def notify(
    *,
    recipients: Iterable[User | int | None],
    kind: str,
    dedup_key: str,
    title: str = "",
    body: str = "",
    url: str = "",
    params: dict | None = None,
    email: bool = True,
) -> int:
    """Create one notification per recipient unless (recipient, dedup_key) exists; return how many
    are new. New ones are e-mailed after commit when `email` is true and the recipient has an address."""
    message = Message(
        recipients=recipients, kind=kind, title=title, body=body, url=url, dedup_key=dedup_key, params=params or {}
    )
    return notify_many([message], email=email)


def notify_many(messages: Iterable[Message], *, email: bool = True) -> int:
    """`notify` for many messages at once: the rows of `notifications_create`, then one
    after-commit hook for the e-mails of every new row. Returns how many are new."""
    new_ids = notifications_create(messages, email=email)
    if new_ids and email:
        transaction.on_commit(partial(notifications_email_enqueue, notification_ids=new_ids))
    return len(new_ids)


def role_recipient_ids(*, role: str, store_id: int) -> list[int]:
    """The active users of a role who hear of a store's events: its own and the group-level ones
    (the rule of the SLA sweep's recipients, complaints.sweeps._role_users)."""
    users = User.objects.filter(groups__name=role, is_active=True).filter(Q(stores=store_id) | Q(is_group_level=True))
    return sorted(set(users.values_list("pk", flat=True)))


def notifications_create(messages: Iterable[Message], *, email: bool = False) -> list[int]:
    """Insert the messages' rows, one INSERT … ON CONFLICT DO NOTHING RETURNING id per 5,000 rows;
    returns the ids of the new ones (nothing is e-mailed here; `email` marks them `email_pending`).

    Rows go in (recipient, dedup_key) order, so that two sweeps inserting the same rows at the same
    time wait for each other in one order and cannot deadlock."""
    now = timezone.now()
    rows: dict[tuple[int, str], tuple] = {}
    for m in messages:
        key = m.dedup_key[:200]
        title, params = m.stored_title(), json.dumps(m.params, ensure_ascii=False)
        for recipient in m.recipients:
            if recipient is None:
                continue
            rid = recipient if isinstance(recipient, int) else recipient.pk
            rows.setdefault((rid, key), (rid, m.kind, title[:200], m.body, m.url[:300], params, key))
    if not rows:
        return []
    table = Notification._meta.db_table
    columns = "recipient_id, kind, title, body, url, params, dedup_key, created_at, email_pending"
    ordered = [rows[k] for k in sorted(rows)]
    new_ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for chunk in batched(ordered, INSERT_ROWS):
                # One array per column: nine parameters whatever the number of rows, so neither
                # the driver nor the server parses thousands of placeholders. WITH ORDINALITY keeps
                # the (recipient, dedup_key) order of the insert.
                arrays = [list(column) for column in zip(*chunk, strict=True)]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT r, k, t, b, u, p::jsonb, d, %s, %s "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
                    "%s::text[]) WITH ORDINALITY AS x(r, k, t, b, u, p, d, n) ORDER BY n "
                    "ON CONFLICT (recipient_id, dedup_key) DO NOTHING RETURNING id",
                    [now, email, *arrays],
                )
                new_ids += [row[0] for row in cursor.fetchall()]
        else:  # SQLite (the demo): a VALUES list, within its limit of bound parameters
            for chunk in batched(ordered, 100):
                placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {placeholders} "
                    "ON CONFLICT (recipient_id, dedup_key) DO NOTHING RETURNING id",
                    [value for row in chunk for value in (*row, now, email)],
                )
                new_ids += [row[0] for row in cursor.fetchall()]
    return new_ids


def notifications_email_enqueue(*, notification_ids: list[int]) -> None:
    """Queue the e-mails (a Celery task per 500), so that a sweep never waits for the mail server.
    With the broker down the rows stay `email_pending` for `notifications_email_pending`."""

    for chunk in batched(notification_ids, EMAIL_BATCH):
        if not enqueue("complaints.notifications_email", list(chunk)):
            return  # the broker is down: the beat sweep queues the rest


# A pending e-mail younger than this is normally on its way (its after-commit task is queued).
EMAIL_PENDING_GRACE = dt.timedelta(minutes=2)


def notifications_email_pending(*, now: dt.datetime | None = None) -> int:
    """Beat: queue the e-mails still pending a couple of minutes after their notification was
    created (the broker was down, or the mail server was). Rows whose recipient has no address are
    settled here. Returns how many were queued; a duplicate task sends nothing (the claim)."""
    now = now or timezone.now()
    pending = Notification.objects.filter(email_pending=True)
    pending.filter(recipient__email="").update(email_pending=False)
    ids = list(pending.filter(created_at__lt=now - EMAIL_PENDING_GRACE).order_by("id").values_list("id", flat=True))
    notifications_email_enqueue(notification_ids=ids)
    return len(ids)


def notifications_stuck_probe():
    """For the operations page: e-mails still pending after the sweep's grace."""

    return StuckProbe(
        "notification_email",
        _("投诉通知：邮件未发送"),
        lambda now: Notification.objects.filter(email_pending=True, created_at__lt=now - EMAIL_PENDING_GRACE),
        "created_at",
        _("每 5 分钟自动补发；持续增加请检查邮件服务器"),
        30,
    )


class NotificationEmailFailed(Exception):
    """Some e-mails could not be sent; their claims were released, so a retry sends only them."""

    def __init__(self, notification_ids: list[int]):
        super().__init__(f"{len(notification_ids)} notification e-mails failed")
        self.notification_ids = notification_ids


def notifications_send_email(*, notification_ids: Iterable[int]) -> int:
    """E-mail each notification not e-mailed yet; returns how many were sent. Safe to run twice.

    Per 500: one UPDATE claims every unsent one whose recipient has an address (only the run whose
    UPDATE matched a row sends it, so a retry or a parallel run cannot), then the messages go out
    over one mail connection. A message that fails is released (its `emailed_at` emptied) and, once
    the others are sent, `NotificationEmailFailed` tells the Celery task to retry: the retry claims
    only the released ones, so an e-mail sent once is never sent again.

    E-mails are written in the site's language (Chinese, settings.LANGUAGE_CODE): users have no
    language of their own yet, and a sweep runs outside any request."""
    sent = 0
    failed: list[int] = []
    table = Notification._meta.db_table
    users = User._meta.db_table
    for chunk in batched(sorted(set(notification_ids)), EMAIL_BATCH):
        claimed = _claim_for_email(list(chunk), table, users)
        if not claimed:
            continue
        notifications = Notification.objects.filter(id__in=claimed).select_related("recipient").order_by("id")
        mail = get_connection()
        try:
            mail.open()
        except Exception:
            # Unreachable mail server: pending again, the beat sweep retries.
            Notification.objects.filter(id__in=claimed).update(emailed_at=None, email_pending=True)
            logger.exception("mail server unavailable: %s notification e-mails left for a retry", len(claimed))
            failed += claimed
            continue
        try:
            for notification in notifications:
                with translation.override(settings.LANGUAGE_CODE):
                    subject = notification_title(notification)
                message = EmailMessage(
                    subject=subject,
                    body=_email_body(notification, subject),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[notification.recipient.email],
                    connection=mail,
                )
                try:
                    message.send()
                except Exception:
                    # Release the claim and mark it pending again: the task's retry sends it, and
                    # should every retry fail, the beat sweep still finds it (and the operations
                    # page shows it) — the in-app copy stands meanwhile.
                    Notification.objects.filter(id=notification.id).update(emailed_at=None, email_pending=True)
                    logger.exception("notification e-mail %s failed", notification.id)
                    failed.append(notification.id)
                    continue
                sent += 1
        finally:
            mail.close()
    if failed:
        raise NotificationEmailFailed(failed)
    return sent


def _claim_for_email(ids: list[int], table: str, users: str) -> list[int]:
    """Set `emailed_at` on the unsent ones whose recipient has an address; return their ids."""
    if connection.vendor != "postgresql":  # SQLite (the demo): one conditional UPDATE each
        candidates = Notification.objects.filter(id__in=ids, emailed_at=None).exclude(recipient__email="")
        now = timezone.now()
        return [
            pk
            for pk in candidates.values_list("id", flat=True)
            if Notification.objects.filter(id=pk, emailed_at=None).update(emailed_at=now, email_pending=False)
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} n SET emailed_at = %s, email_pending = false FROM {users} u WHERE n.id = ANY(%s) "
            "AND n.emailed_at IS NULL AND u.id = n.recipient_id AND u.email <> '' RETURNING n.id",
            [timezone.now(), ids],
        )
        return [row[0] for row in cursor.fetchall()]


def _email_body(notification: Notification, subject: str) -> str:
    parts = [notification.body] if notification.body else []
    if notification.url:
        base = settings.SITE_URL.rstrip("/")
        parts.append(f"{base}{notification.url}")
    return "\n\n".join(parts) or subject


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark the user's own notification read (404 for anyone else's) and return it."""
    notification = get_object_or_404(Notification, id=notification_id, recipient=user)
    if notification.read_at is None:
        Notification.objects.filter(id=notification.id, read_at=None).update(read_at=timezone.now())
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def bell(user: User) -> tuple[int, list[Notification]]:
    """The bell on every page: the unread count and the latest BELL_SIZE notifications, in one query —
    each row carries the count (an uncorrelated subquery, which PostgreSQL runs once); a user without
    any notification has none unread."""
    if not user.is_authenticated:
        return 0, []
    unread = (
        Notification.objects.filter(recipient=user, read_at=None)
        .order_by()
        .values("recipient")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = list(notifications_for_user(user=user).annotate(unread_total=Subquery(unread))[:BELL_SIZE])
    return (rows[0].unread_total or 0) if rows else 0, rows
