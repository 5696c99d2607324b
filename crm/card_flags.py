"""Flags on the customer card (badges beside the card type), fed by other apps without crm importing them.

An app registers a provider from its AppConfig.ready(), as the timeline's providers are:

    from crm.card_flags import register_card_flag
    register_card_flag(customer_winback_flags)

A provider takes the customer and returns its flags; it must run a fixed number of queries, because
the customer page's query count is asserted in tests.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from crm.models import Customer


@dataclass(frozen=True)
class CardFlag:
    label: str
    tone: str = "secondary"  # a Bootstrap colour
    title: str = ""  # a tooltip: what the flag means
    url: str | None = None


CardFlagProvider = Callable[[Customer], Iterable[CardFlag]]
_providers: list[CardFlagProvider] = []


def register_card_flag(provider: CardFlagProvider) -> CardFlagProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def customer_card_flags(customer: Customer) -> list[CardFlag]:
    return [flag for provider in _providers for flag in provider(customer)]
