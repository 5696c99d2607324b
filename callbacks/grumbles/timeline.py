"""The customer page's grumble entries (crm.timeline provider): one query whatever the count."""

from django.urls import reverse
from django.utils.translation import gettext as _

from callbacks.grumbles.rules import grumble_content, grumble_is_done, grumble_record, not_a_case_filter
from callbacks.models import HotAlert
from crm.masking import can_see_full_numbers
from crm.scoping import scope_for_user
from crm.timeline import TimelineEntry


def grumble_timeline_entries(customer, user=None) -> list[TimelineEntry]:
    qs = HotAlert.objects.filter(not_a_case_filter(), task__customer=customer)
    if user is not None:
        qs = scope_for_user(qs, user, store_field="task__store")
    linked = user is None or user.has_perm("callbacks.view_grumble")
    full = user is None or can_see_full_numbers(user)
    entries = []
    for alert in qs.select_related("grumble__responsible_staff").order_by("-raised_at")[:50]:
        record = grumble_record(alert)
        done = grumble_is_done(record)
        body = [grumble_content(alert, record, full=full)]
        if done:
            body.append(_("处理结果：%(summary)s") % {"summary": record.result_summary})
        if record and record.recall_note:
            body.append(_("再次回访：%(note)s") % {"note": record.recall_note})
        entries.append(
            TimelineEntry(
                at=alert.raised_at,
                kind="grumble",
                title=_("抱怨（已处理完毕）") if done else _("抱怨（处理中）"),
                body=" ｜ ".join(b for b in body if b),
                url=reverse("callbacks:grumble_detail", args=[alert.pk]) if linked else None,
                icon="chat-left-dots",
                tone="secondary" if done else "warning",
            )
        )
    return entries
