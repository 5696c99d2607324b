"""The customer page's reminder and outreach entries (crm.timeline provider): two queries.

Every reminder and every contact (issue 10: "the timeline shows every reminder and contact"): no cap.
A customer gets some fifteen reminders a year (six festivals, a birthday, his vehicles'), so a
fifty-row cap hid the older years of a long-standing customer without a word."""

from django.utils.translation import gettext as _

from crm.timeline import TimelineEntry
from retention.choices import skip_reason_labels
from retention.models import OutreachAttempt, Reminder


def retention_timeline_entries(customer, user=None) -> list[TimelineEntry]:
    entries = []
    reminders = Reminder.objects.filter(customer=customer).select_related("vehicle").order_by("-send_on", "-id")
    for r in reminders:
        title = _("%(kind)s（到期 %(due)s）") % {"kind": r.get_kind_display(), "due": r.due_on.isoformat()}
        body = [r.get_channel_display(), r.get_status_display()]
        if r.skip_reason:
            body.append(skip_reason_labels(r.skip_reason))
        if r.vehicle:
            body.append(r.vehicle.plate or r.vehicle.vin)
        if r.returned_on:
            body.append(_("已回厂 %(d)s") % {"d": r.returned_on.isoformat()})
        entries.append(
            TimelineEntry(
                at=r.created_at,
                kind="reminder",
                title=title,
                body=" · ".join(str(b) for b in body),
                icon="bell",
                tone="warning" if r.skip_reason else "info",
            )
        )
    attempts = (
        OutreachAttempt.objects.filter(task__customer=customer)
        .select_related("task", "user")
        .order_by("-contacted_at", "-id")
    )
    for a in attempts:
        title = _("%(kind)s：%(result)s") % {"kind": a.task.get_kind_display(), "result": a.get_result_display()}
        body = [a.get_channel_display()]
        if a.user:
            body.append(a.user.display_name or a.user.username)
        if a.booked_on:
            body.append(_("预约 %(d)s") % {"d": a.booked_on.isoformat()})
        body += [text for text in (a.customer_words, a.note) if text]
        entries.append(
            TimelineEntry(
                at=a.contacted_at,
                kind="outreach",
                title=title,
                body=" · ".join(str(b) for b in body),
                icon="telephone-outbound",
                tone="success" if a.booked_on else "secondary",
            )
        )
    return entries
