"""The customer page's SMS entries (crm.timeline provider): one query whatever the count."""

from django.utils.translation import gettext as _

from crm.sms.choices import Direction, SmsStatus
from crm.sms.models import SmsMessage
from crm.timeline import TimelineEntry

_TONE = {SmsStatus.SENT: "info", SmsStatus.FAILED: "danger", SmsStatus.RECEIVED: "primary"}


def sms_timeline_entries(customer, user=None) -> list[TimelineEntry]:
    entries = []
    for m in SmsMessage.objects.filter(customer=customer).order_by("-queued_at", "-id")[:50]:
        if m.direction == Direction.INBOUND:
            title = _("短信回复")
            if m.score is not None:
                title = _("短信回复：%(score)s分") % {"score": m.score}
        else:
            title = _("短信（%(reason)s）：%(status)s") % {
                "reason": m.get_reason_display() or _("其他"),
                "status": m.get_status_display(),
            }
        entries.append(
            TimelineEntry(
                at=m.sent_at or m.queued_at,
                kind="sms",
                title=title,
                body=m.shown_body if not m.error else f"{m.shown_body}\n{m.error}",
                icon="chat-dots" if m.direction == Direction.OUTBOUND else "reply",
                tone=_TONE.get(m.status, "secondary"),
            )
        )
    return entries
