"""Throttling per API client (DRF's cache-based throttle, keyed by the client, not the IP: a DMS
behind the dealership's NAT shares its address with every PC of the store)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiClient


class ApiClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self) -> str:
        # Read at each call (not frozen at import as DRF's THROTTLE_RATES is): tests and operators
        # change it through settings.
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient):
            # Unreachable in practice: a call without a valid client is refused (401) before
            # throttles run; a token is 256 random bits, so there is nothing to guess.
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
