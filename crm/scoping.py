"""The one helper that scopes every store-owned query to the user's stores (SPEC §1).

Views and selectors never filter by store by hand: they call `scope_for_user(queryset, user)` (or
`get_scoped_or_404`), naming the path to the store when it is not `store`.

The "user" may also be an integration's API client (api.ApiClient, SPEC §10 integration): it says
so with `is_api_client` and is scoped to exactly the stores the administrator gave it — never
every store, whatever else it claims. crm does not import the api app; it reads `api_store_ids()`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from crm.choices import Role
from crm.models import Store, User
from crm.params import id_param

GROUP_LEVEL_ROLES = frozenset({Role.ADMINISTRATOR})


def is_group_level(user: User) -> bool:
    """Group-level users see every store: superusers, administrators, users flagged group-level."""
    if not user.is_authenticated or getattr(user, "is_api_client", False):
        return False
    return user.is_superuser or user.is_group_level or user.has_role(*GROUP_LEVEL_ROLES)


def user_store_ids(user: User) -> frozenset[int] | None:
    """The ids of the stores the user may see, or None for every store. Cached on the user."""
    if not user.is_authenticated:
        return frozenset()
    if getattr(user, "is_api_client", False):
        return user.api_store_ids()
    if is_group_level(user):
        return None
    cached = getattr(user, "_store_ids", None)
    if cached is None:
        cached = frozenset(user.stores.values_list("id", flat=True))
        user._store_ids = cached
    return cached


def scope_for_user(queryset: QuerySet, user: User, *, store_field: str = "store") -> QuerySet:
    """Restrict `queryset` to rows whose `store_field` is one of the user's stores."""
    store_ids = user_store_ids(user)
    if store_ids is None:
        return queryset
    return queryset.filter(**{f"{store_field}__in": store_ids})


def stores_for_user(user: User) -> QuerySet[Store]:
    return scope_for_user(Store.objects.filter(is_active=True), user, store_field="id")


def get_scoped_or_404(queryset: QuerySet, user: User, *, store_field: str = "store", **lookup) -> Model:
    """Fetch one row within the user's stores; another store's id is a 404, never a 403 that leaks it."""
    try:
        return scope_for_user(queryset, user, store_field=store_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def user_can_see_store(user: User, store_id: int) -> bool:
    store_ids = user_store_ids(user)
    return store_ids is None or store_id in store_ids


def store_being_edited(user: User, value: str | None) -> tuple[Store, QuerySet[Store]]:
    """A per-store settings page's store: `?store=` among the user's stores (another store's id is a
    404), else the first of them; with the user's stores for the page's store picker."""
    stores = stores_for_user(user)
    store_id = id_param(value, name="store")
    if store_id is not None:
        return get_scoped_or_404(stores, user, store_field="id", pk=store_id), stores
    store = stores.order_by("code").first()
    if store is None:
        raise PermissionDenied
    return store, stores
