from django.utils.functional import SimpleLazyObject

from crm.roles import nav_items_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Lazy: computed (permissions, roles) only when a template shows the menu — htmx partials
    # such as the notification bell render without it and skip those queries.
    return {"nav_items": SimpleLazyObject(lambda: nav_items_for(user))}
