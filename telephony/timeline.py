"""The customer timeline's calls (crm.timeline): one entry per call, with its recording's player
for a user who may listen. One query."""

from django.urls import reverse
from django.utils.translation import gettext as _

from crm.models import Customer
from crm.scoping import scope_for_user
from crm.timeline import TimelineEntry
from telephony.choices import Direction, RecordingState
from telephony.models import CallRecord
from telephony.selectors import LISTEN_PERMISSION, call_status_text

TIMELINE_CALLS = 50


def call_timeline_entries(customer: Customer, user=None) -> list[TimelineEntry]:
    if user is not None and not user.has_perm("telephony.view_callrecord"):
        return []
    qs = CallRecord.objects.filter(customer=customer).select_related("agent")
    if user is not None:
        qs = scope_for_user(qs, user)
    listen = user is None or user.has_perm(LISTEN_PERMISSION)
    entries = []
    for call in qs.order_by("-started_at", "-id")[:TIMELINE_CALLS]:
        inbound = call.direction == Direction.INBOUND
        agent = call.agent.display_name or call.agent.username if call.agent else ""
        body = call_status_text(call)
        if agent:
            body = f"{agent} · {body}"
        if call.recording_state == RecordingState.DELETED:
            body += " · " + _("录音已过期删除")
        stored = call.recording_state == RecordingState.STORED
        entries.append(
            TimelineEntry(
                at=call.started_at,
                kind="call",
                title=_("客户来电") if inbound else _("去电"),
                body=body,
                icon="telephone-inbound" if inbound else "telephone-outbound",
                tone="info" if call.answered_at else "secondary",
                audio_url=reverse("telephony:recording", args=[call.pk]) if stored and listen else None,
            )
        )
    return entries
