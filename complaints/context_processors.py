"""The bell in the navigation bar (templates/partials/bell.html) on every page."""

from functools import cache

from django.utils.functional import SimpleLazyObject

from complaints.notifications import bell


def notification_bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy, so that a page that never renders the bell (e.g. an htmx partial) runs no query; one query
    # for both (complaints.notifications.bell).
    loaded = cache(lambda: bell(user))
    return {
        "bell_unread_count": SimpleLazyObject(lambda: loaded()[0]),
        "bell_notifications": SimpleLazyObject(lambda: loaded()[1]),
    }
