"""Login throttling: django-axes' database handler with a second, higher limit per IP address.

Axes locks out per (username, IP) after AXES_FAILURE_LIMIT failures, which alone lets one IP try
one password against every user. Axes accepts several lockout parameter sets
(`[["username", "ip_address"], "ip_address"]`) but applies the one AXES_FAILURE_LIMIT to each of
them (it compares the largest count with it), so an IP limit would have to equal the per-user
limit — 5 typos across a dealership's staff behind one office NAT would lock everyone out. Hence
this handler: it counts the IP's failures within the same cool-off (AXES_COOLOFF_TIME) and, at
AXES_IP_FAILURE_LIMIT, reports the request as at the failure limit, so axes' own lockout (page,
signal, cool-off, admin reset) applies. Failures are still recorded per (username, IP).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and self.ip_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return limit
        return failures

    @staticmethod
    def ip_failures(request) -> int:
        """Failed logins from the request's IP, every username, within the cool-off."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
