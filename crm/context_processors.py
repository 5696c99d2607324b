from django.utils.functional import SimpleLazyObject

from crm.roles import nav_items_for, nav_menu_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    # Lazy: computed (permissions, roles) only when a template shows the menu — htmx partials
    # such as the notification bell render without it and skip those queries.
    return {
        "nav_items": SimpleLazyObject(lambda: nav_items_for(user)),
        # The same items folded into dropdowns (crm.roles.NAV_GROUPS): what base.html shows.
        "nav_menu": SimpleLazyObject(lambda: nav_menu_for(user)),
    }
