"""Rate limit against token guessing: a counter per client IP of requests for unknown tokens.

django-axes guards logins, not this page; a cache counter is all it needs. With 96-bit tokens a
guess cannot succeed anyway; the limit keeps a scanner from loading the database. Past the limit
every survey-link request of that IP is answered 429 until the window passes. The IP is
REMOTE_ADDR: behind a reverse proxy, the proxy must set it to the client's (as for axes)."""

from django.core.cache import cache

# Unknown tokens per IP within the window before the IP is refused.
MISS_LIMIT = 20
MISS_WINDOW_SECONDS = 15 * 60


def miss_key(ip: str) -> str:
    return f"surveylink:miss:{ip}"


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def guess_blocked(ip: str) -> bool:
    return (cache.get(miss_key(ip)) or 0) >= MISS_LIMIT


def guess_record(ip: str) -> None:
    """Count one unknown token; the window starts at the first miss (cache.add keeps it)."""
    key = miss_key(ip)
    cache.add(key, 0, MISS_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, MISS_WINDOW_SECONDS)
