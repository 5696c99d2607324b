"""SMS writes (SPEC §10): send (queue), deliver, flush after quiet hours, receive replies, opt-outs."""

import datetime
import hmac
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Customer, Store, User
from crm.scoping import scope_for_user
from crm.sms.backends import SmsBackendError, get_backend
from crm.sms.choices import Direction, ReplyOutcome, SmsStatus
from crm.sms.models import SmsMessage
from crm.sms.parsing import parse_reply
from crm.sms.quiet_hours import is_quiet, next_send_time
from crm.sms.registry import reply_handler_for
from crm.tasking import enqueue_on_commit
from crm.validators import is_valid_mobile, normalize_phone

logger = logging.getLogger("crm.sms")

# A reply is matched to the latest message we sent to that number within this many days.
REPLY_WINDOW_DAYS = 7
# A message claimed for sending that has no result after this long: the worker died mid-send.
# It is marked failed, never re-sent: an SMS must not go twice (at most once).
STALE_SENDING_MINUTES = 15


def sms_refusal(customer: Customer | None, mobile: str) -> str:
    """Why a message to `mobile` may not go, as the log records it; empty when it may: a valid
    mobile, not the one marked invalid on the customer's record, and the customer's SMS consent.
    Quiet hours refuse nothing: the message waits until 08:00 (`sms_send`)."""
    mobile = normalize_phone(mobile)
    if not is_valid_mobile(mobile) or (
        customer is not None and customer.mobile_invalid and normalize_phone(customer.mobile) == mobile
    ):
        return "手机号无效"
    if customer is not None and not customer.may_sms:
        return "客户不同意接收短信"
    return ""


def customer_may_get_sms(customer: Customer) -> bool:
    """THE rule of whether a customer's own mobile may get an SMS (`sms_refusal` finds no reason):
    what a service checks before it marks a message as sent."""
    return not sms_refusal(customer, customer.mobile)


# A message that has left the outbox keeps no secret: its body becomes the redacted copy, if any.
_BODY_WITHOUT_SECRET = Case(When(~Q(body_redacted=""), then=F("body_redacted")), default=F("body"))


def sms_send(
    *,
    store: Store,
    customer: Customer | None,
    mobile: str,
    body: str,
    reason: str,
    related_key: str,
    now: datetime.datetime | None = None,
    body_redacted: str = "",
) -> SmsMessage:
    """Log and queue one SMS; it goes at once (after commit) or at 08:00 if it is quiet hours.

    Idempotent per (reason, related_key): a second call returns the first message, unchanged.
    A message that may not go (invalid mobile, no SMS consent) is logged as failed with the reason.
    A body carrying a secret comes with `body_redacted`, the same text with the secret blanked:
    that is what pages show, and what the row keeps once the message has left the outbox.
    """
    now = now or timezone.now()
    mobile = normalize_phone(mobile)
    error = sms_refusal(customer, mobile)
    message = SmsMessage(
        store=store,
        customer=customer,
        mobile=mobile,
        body=body_redacted if (error and body_redacted) else body,
        body_redacted=body_redacted,
        reason=reason,
        related_key=related_key,
        direction=Direction.OUTBOUND,
        status=SmsStatus.FAILED if error else SmsStatus.QUEUED,
        error=error,
        queued_at=now,
        send_after=None if error else next_send_time(now),
    )
    if related_key:
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            return SmsMessage.objects.get(direction=Direction.OUTBOUND, reason=reason, related_key=related_key)
    else:
        message.save()
    if message.status == SmsStatus.QUEUED and message.send_after <= now:
        # A broker outage leaves it queued for the beat flush (crm.tasking).
        enqueue_on_commit("crm.sms.tasks.sms_deliver", message.pk)
    return message


def sms_deliver(*, message_id: int, now: datetime.datetime | None = None, backend=None) -> bool:
    """Hand one queued, due message to the backend. A conditional UPDATE claims it first, so of two
    workers (the on-commit task and the beat flush) exactly one sends it. True if this call sent it."""
    now = now or timezone.now()
    try:
        backend = backend or get_backend()
    except SmsBackendError as exc:  # misconfigured (no URL): leave the message queued, say so loudly
        logger.error("SMS backend unusable, message %s stays queued: %s", message_id, exc)
        return False
    if is_quiet(now):
        # Queued at 20:59 and picked up by a worker at 21:00: it waits for the morning after all.
        SmsMessage.objects.filter(pk=message_id, status=SmsStatus.QUEUED, send_after__lte=now).update(
            send_after=next_send_time(now)
        )
        return False
    claimed = SmsMessage.objects.filter(
        pk=message_id, direction=Direction.OUTBOUND, status=SmsStatus.QUEUED, send_after__lte=now
    ).update(status=SmsStatus.SENDING, claimed_at=now)
    if not claimed:
        return False
    message = SmsMessage.objects.get(pk=message_id)
    try:
        provider_id = backend.send(message)
    except SmsBackendError as exc:
        logger.warning("SMS %s to %s failed: %s", message.pk, message.mobile, exc)
        SmsMessage.objects.filter(pk=message_id).update(
            status=SmsStatus.FAILED, error=str(exc)[:1000], body=_BODY_WITHOUT_SECRET
        )
        return False
    SmsMessage.objects.filter(pk=message_id).update(
        status=SmsStatus.SENT, sent_at=now, provider_id=provider_id or "", body=_BODY_WITHOUT_SECRET
    )
    return True


def sms_flush_queue(*, now: datetime.datetime | None = None, batch_size: int = 500, backend=None) -> int:
    """Send every queued message that is due (beat, every few minutes; catches a lost on-commit hook
    and the morning's quiet-hours queue). Safe to run twice or concurrently: each send is claimed."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=STALE_SENDING_MINUTES)
    SmsMessage.objects.filter(status=SmsStatus.SENDING, claimed_at__lt=stale).update(
        status=SmsStatus.FAILED, error="发送中断，结果未知（未重发）", body=_BODY_WITHOUT_SECRET
    )
    try:
        backend = backend or get_backend()
    except SmsBackendError as exc:
        logger.error("SMS backend unusable, queue not flushed: %s", exc)
        return 0
    sent = 0
    last_id = 0
    while True:
        ids = list(
            SmsMessage.objects.filter(status=SmsStatus.QUEUED, send_after__lte=now, id__gt=last_id)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            if sent:
                logger.info("SMS queue flushed: %s sent", sent)
            return sent
        for pk in ids:
            sent += sms_deliver(message_id=pk, now=now, backend=backend)
        last_id = ids[-1]


# --- replies -----------------------------------------------------------------------------------


def _within(queryset: QuerySet, entered_by: User | None) -> QuerySet:
    """A reply typed in by a person acts within that person's stores only; the gateway's inbound
    webhook (no user) is global by design: the gateway knows nothing of stores."""
    return queryset if entered_by is None else scope_for_user(queryset, entered_by)


def _matching_outbound(mobile: str, at: datetime.datetime, entered_by: User | None = None) -> SmsMessage | None:
    return (
        _within(SmsMessage.objects.all(), entered_by)
        .filter(
            direction=Direction.OUTBOUND,
            mobile=mobile,
            status=SmsStatus.SENT,
            sent_at__gte=at - datetime.timedelta(days=REPLY_WINDOW_DAYS),
            sent_at__lte=at,
        )
        .select_related("customer", "store")
        .order_by("-sent_at", "-id")
        .first()
    )


def sms_opt_out(*, mobile: str, entered_by: User | None = None) -> int:
    """Withdraw SMS consent for every customer file with this mobile (TD / 退订) — within the
    stores of the person who typed the reply in, if one did."""
    return (
        _within(Customer.objects.all(), entered_by)
        .filter(mobile=mobile, may_sms=True)
        .update(may_sms=False, updated_at=timezone.now())
    )


def sms_receive(
    *,
    mobile: str,
    text: str,
    received_at: datetime.datetime | None = None,
    provider_id: str = "",
    entered_by: User | None = None,
) -> SmsMessage:
    """Store an inbound SMS and act on it: a score goes to the sending app's reply handler, TD/退订
    withdraws consent, anything else waits for a person. A gateway re-delivering the same
    provider_id gets the first row back.

    A reply `entered_by` a person is matched, scored and opted out within that person's stores
    only, and refused (ValidationError) when the mobile is no customer of theirs: a CR manager of
    one store must not withdraw or score another store's customer by typing a mobile."""
    received_at = received_at or timezone.now()
    mobile = normalize_phone(mobile)
    if provider_id:
        existing = SmsMessage.objects.filter(direction=Direction.INBOUND, provider_id=provider_id).first()
        if existing is not None:
            return existing
    parsed = parse_reply(text)
    with transaction.atomic():
        outbound = _matching_outbound(mobile, received_at, entered_by)
        customer = (
            outbound.customer
            if outbound
            else _within(Customer.objects.all(), entered_by).filter(mobile=mobile).order_by("-id").first()
        )
        store = outbound.store if outbound else (customer.store if customer else None)
        if entered_by is not None and store is None:
            raise ValidationError(_("您的门店没有该手机号的客户。"))
        reply = SmsMessage(
            store=store,
            customer=customer,
            mobile=mobile,
            body=text,
            direction=Direction.INBOUND,
            status=SmsStatus.RECEIVED,
            queued_at=received_at,
            sent_at=received_at,
            provider_id=provider_id,
            reply_to=outbound,
            reason=outbound.reason if outbound else "",
            outcome=parsed.outcome,
            score=parsed.score,
            entered_by=entered_by,
            handled=True,
        )
        try:
            with transaction.atomic():
                reply.save()
        except IntegrityError:  # the same provider_id, raced
            return SmsMessage.objects.get(direction=Direction.INBOUND, provider_id=provider_id)
        if outbound is not None:
            outbound.reply_text = f"{outbound.reply_text} / {text}" if outbound.reply_text else text
            outbound.replied_at = received_at
            outbound.save(update_fields=["reply_text", "replied_at"])
        if parsed.outcome == ReplyOutcome.OPT_OUT:
            sms_opt_out(mobile=mobile, entered_by=entered_by)
        elif parsed.outcome == ReplyOutcome.SCORE:
            handler = reply_handler_for(outbound.reason) if outbound else None
            if handler is None:
                reply.handled = False  # a score for nothing we asked: a person decides
            else:
                reply.applied = bool(handler(message=outbound, reply=reply, score=parsed.score))
        else:
            reply.handled = False
        reply.save(update_fields=["handled", "applied"])
    return reply


def sms_mark_handled(*, message: SmsMessage, user: User, now: datetime.datetime | None = None) -> bool:
    """A person has read an inbound message. False if someone already marked it."""
    now = now or timezone.now()
    return bool(
        SmsMessage.objects.filter(pk=message.pk, direction=Direction.INBOUND, handled=False).update(
            handled=True, handled_at=now, handled_by=user
        )
    )


def inbound_secret_ok(given: str | None) -> bool:
    """Constant-time comparison with settings.SMS_INBOUND_SECRET; an empty secret accepts nothing."""

    expected = settings.SMS_INBOUND_SECRET or ""
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())
