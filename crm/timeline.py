"""The customer page's timeline, fed by every app without crm importing them.

An app registers a provider from its AppConfig.ready():

    from crm.timeline import TimelineEntry, register_timeline_provider
    register_timeline_provider(callback_timeline_entries)

A provider takes the customer and, as keyword `user`, the user reading the page (None: show
everything) and returns its entries; it must run a fixed number of queries (whatever the number
of entries), because the customer page's query count is asserted in tests.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from crm.models import Customer


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "delivery", "repair_order", "callback", "complaint", "sms", ...
    title: str
    body: str = ""
    url: str | None = None
    icon: str = "circle"  # bootstrap-icons name
    tone: str = "secondary"  # a Bootstrap colour: success, warning, danger, ...
    audio_url: str | None = None  # a recording the page plays with <audio> (telephony)


# provider(customer, user=None): user None means every entry (tests, commands).
TimelineProvider = Callable[..., Iterable[TimelineEntry]]
_providers: list[TimelineProvider] = []


def register_timeline_provider(provider: TimelineProvider) -> TimelineProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def customer_timeline(customer: Customer, user=None) -> list[TimelineEntry]:
    """Every provider's entries, newest first. With `user`, a provider leaves out what that user
    may not see (a consultant sees only their own complaints); None: everything."""
    entries: list[TimelineEntry] = []
    for provider in _providers:
        entries.extend(provider(customer, user=user))
    return sorted(entries, key=lambda e: e.at, reverse=True)
