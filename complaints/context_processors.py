"""The bell in the navigation bar (templates/partials/bell.html) on every page."""

from django.utils.functional import SimpleLazyObject

from complaints.notifications import BELL_SIZE, notifications_for_user, unread_count


def notification_bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy, so that a page that never renders the bell (e.g. an htmx partial) runs no query.
    return {
        "bell_unread_count": SimpleLazyObject(lambda: unread_count(user)),
        "bell_notifications": SimpleLazyObject(lambda: list(notifications_for_user(user=user)[:BELL_SIZE])),
    }
