"""The navbar's search: one box for a name, mobile, plate or case number, fed by every app.

An app registers a provider from its AppConfig.ready() (as the customer timeline does), so crm
imports no other app:

    from crm.search import register_search_provider
    register_search_provider(complaint_search_section)

A provider takes the user and the query and returns a SearchSection, or None when the user may
not search its records (a permission) or the query cannot match them. Every provider scopes its
query through crm.scoping and runs a fixed number of queries whatever it finds, because the
results page's query count is asserted in tests.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from crm.masking import can_see_full_numbers, mask_phone
from crm.models import User
from crm.selectors import customer_list_page, customer_search

# Rows per section: the search finds something to open, the full list is one click away.
SECTION_ROWS = 10


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    detail: str = ""
    badge: str = ""


@dataclass(frozen=True)
class SearchSection:
    key: str
    title: str
    icon: str
    order: int
    hits: list[SearchHit] = field(default_factory=list)
    more_url: str | None = None  # the full list, filtered by the same query


SearchProvider = Callable[[User, str], SearchSection | None]
_providers: list[SearchProvider] = []


def register_search_provider(provider: SearchProvider) -> SearchProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def search_everything(*, user: User, query: str) -> list[SearchSection]:
    """Every section the user may search, in order (an empty query searches nothing)."""
    query = (query or "").strip()[:40]
    if not query:
        return []
    sections = [section for provider in _providers if (section := provider(user, query)) is not None]
    return sorted(sections, key=lambda section: section.order)


def customer_search_section(user: User, query: str) -> SearchSection | None:
    """Customers by name, mobile, plate or VIN (crm.selectors.customer_search): two queries."""

    if not user.has_perm("crm.view_customer"):
        return None
    customers = customer_list_page(customers=customer_search(user=user, query=query))[:SECTION_ROWS]
    full = can_see_full_numbers(user)
    hits = [
        SearchHit(
            title=customer.name,
            url=reverse("crm:customer_detail", args=[customer.pk]),
            detail=" · ".join(
                part
                for part in (
                    customer.mobile if full else mask_phone(customer.mobile),
                    " ".join(v.plate for v in customer.vehicles.all() if v.plate),
                    customer.store.name,
                )
                if part
            ),
            badge=customer.get_card_type_display(),
        )
        for customer in customers
    ]
    return SearchSection(
        key="customers",
        title=_("客户"),
        icon="people",
        order=10,
        hits=hits,
        more_url=f"{reverse('crm:customer_list')}?{urlencode({'q': query})}",
    )
