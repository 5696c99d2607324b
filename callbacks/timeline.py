"""The customer page's callback entries (crm.timeline provider): one query whatever the count."""

from django.urls import reverse
from django.utils.translation import gettext as _

from callbacks.choices import DISPOSITION_RULES, Bucket
from callbacks.models import CallAttempt
from crm.timeline import TimelineEntry


def callback_timeline_entries(customer) -> list[TimelineEntry]:
    attempts = CallAttempt.objects.filter(task__customer=customer).select_related("task", "agent")[:50]
    entries = []
    for a in attempts:
        rule = DISPOSITION_RULES.get(a.disposition)
        success = rule is not None and rule.bucket == Bucket.SUCCESS
        entries.append(
            TimelineEntry(
                at=a.at,
                kind="callback",
                title=_("%(kind)s：%(d)s") % {"kind": a.task.get_kind_display(), "d": a.disposition},
                body=a.note,
                url=reverse("callbacks:call", args=[a.task_id]),
                icon="telephone",
                tone="success" if success else "secondary",
            )
        )
    return entries
