"""API fixtures: one client per store (store A's with every scope, store B's) and a caller."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.choices import Scope
from api.services import api_client_create

ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def fresh_throttle_cache():
    """Throttle counters live in the cache (Redis): each test starts from none."""
    cache.clear()
    yield


@pytest.fixture
def issued_a(store_a):
    """The DMS / CTI integration of store A, holding every scope."""
    return api_client_create(name="LA DMS", stores=[store_a], scopes=ALL_SCOPES)


@pytest.fixture
def issued_b(store_b):
    """Store B's integration: the client that must never reach store A's records."""
    return api_client_create(name="HF DMS", stores=[store_b], scopes=ALL_SCOPES)


@pytest.fixture
def call():
    """`call(token)` -> a DRF test client sending `Authorization: Bearer <token>`."""

    def _client(token: str | None = None) -> APIClient:
        api = APIClient()
        if token:
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return api

    return _client


@pytest.fixture
def api_a(issued_a, call):
    return call(issued_a.token)


@pytest.fixture
def api_b(issued_b, call):
    return call(issued_b.token)
