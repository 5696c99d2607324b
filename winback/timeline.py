"""The customer page's win-back entries (crm.timeline provider): one query whatever the count.

The day a customer joined the win-back list and the day they came back. The contacts themselves
are the win-back call's OutreachAttempt rows, which retention's provider shows with every other
outreach contact.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from crm.timeline import TimelineEntry
from winback.models import WinbackEntry
from winback.rules import local_midnight


def winback_timeline_entries(customer, user=None) -> list[TimelineEntry]:
    entries = []
    for e in WinbackEntry.objects.filter(customer=customer).order_by("-month"):
        url = reverse("winback:entry_detail", args=[e.pk])
        entries.append(
            TimelineEntry(
                at=local_midnight(e.lost_on),
                kind="winback",
                title=_("列入流失客户名单（%(month)s）") % {"month": f"{e.month:%Y-%m}"},
                body=_("最近来店时间 %(day)s") % {"day": e.last_visit_on},
                url=url,
                icon="person-x",
                tone="danger",
            )
        )
        if e.recovered_on:
            entries.append(
                TimelineEntry(
                    at=local_midnight(e.recovered_on),
                    kind="winback",
                    title=_("流失客户已挽回"),
                    body=_("%(day)s 回厂") % {"day": e.recovered_on},
                    url=url,
                    icon="person-check",
                    tone="success",
                )
            )
    return entries
