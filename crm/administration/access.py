"""Who may manage users, stores and departments: the administrator role and superusers."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from crm.choices import Role


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def administrator_required(view: Callable) -> Callable:
    """Login first (a redirect), then 403 for anyone but an administrator or a superuser."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)
