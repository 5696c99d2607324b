"""Throttling: calls per API client, and failed authentication per address.

Calls are counted per client (DRF's cache-based throttle, keyed by the client, not the IP: a DMS
behind the dealership's NAT shares its address with every PC of the store). A call without a valid
client has no client to count by: its failures are counted per address (AuthFailureThrottle)."""

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
            # A call without a valid client is refused (401) before throttles run; its address is
            # AuthFailureThrottle's.
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class AuthFailureThrottle(SimpleRateThrottle):
    """Failed authentication (no token, a wrong, revoked or malformed one) per client address:
    past `API_AUTH_FAILURE_RATE` failures, every call from that address is refused (429) before
    its token is looked up, until the oldest failure leaves the window — a valid token included,
    or guessing could go on, told apart by the status. Each failure writes an audit row, so the
    rate also bounds the rows a stranger can make us write.

    Not one of the view's `throttle_classes` (those run after authentication, which refuses these
    calls first): ClientMixin asks `refuses()` before authenticating and `record_failure()` when
    authentication failed. The address is DRF's `get_ident` (REMOTE_ADDR, or the
    `NUM_PROXIES`-th address from the right of X-Forwarded-For behind a reverse proxy)."""

    scope = "api_auth_failure"

    def get_rate(self) -> str:
        return settings.API_AUTH_FAILURE_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request, view) -> None:
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def refuses(self, request, view) -> bool:
        """Whether the address has used up its failures; records nothing."""
        self._load(request, view)
        return len(self.history) >= self.num_requests

    def record_failure(self, request, view) -> None:
        self._load(request, view)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)

    def first_refusal(self) -> bool:
        """True for the first refused call of the address while it is refused (after refuses()):
        that one is audited, the rest are not."""
        return self.cache.add(f"{self.key}:refused", True, self.duration)
