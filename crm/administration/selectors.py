"""Reads of the administrator's pages. Stores come through crm.scoping like every store query (an
administrator is group-level, so it returns all of them, inactive ones included)."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from crm.choices import Role
from crm.models import Department, Staff, Store, User
from crm.scoping import is_group_level, scope_for_user


def stores_managed(*, user: User) -> QuerySet[Store]:
    """Every store the user may manage, inactive ones too."""
    return scope_for_user(Store.objects.order_by("code"), user, store_field="id")


def store_list(*, user: User) -> QuerySet[Store]:
    """The stores with their departments and the departments' managers."""
    return stores_managed(user=user).prefetch_related("departments__manager")


def user_search(
    *, query: str = "", store: Store | None = None, role: str = "", active: bool | None = None
) -> QuerySet[User]:
    """Users by login name, display name or phone, store, role and active flag; their roles,
    stores and linked staff record loaded with them (a constant number of queries per page)."""
    users = User.objects.all()
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(display_name__icontains=query) | Q(phone__icontains=query)
        )
    if store is not None:
        users = users.filter(stores=store)
    if role:
        users = users.filter(groups__name=role)
    if active is not None:
        users = users.filter(is_active=active)
    return (
        users.select_related("staff__store")
        .prefetch_related("groups", "stores")
        .order_by("-is_active", "username")
        .distinct()
    )


def with_role_codes(users: Iterable[User]) -> list[User]:
    """Fill each user's role cache (`User.role_codes`) from the prefetched groups, so that a list
    shows roles — and whether the user sees every store (crm.scoping's rule) — without a query per
    row."""
    users = list(users)
    for user in users:
        user._role_codes = frozenset(g.name for g in user.groups.all() if g.name in Role.values)
        user.sees_every_store = is_group_level(user)
    return users


def staff_linkable(*, user: User | None) -> QuerySet[Staff]:
    """Active staff records without a login, or already linked to `user`: what may be linked."""
    free = Q(user__isnull=True)
    if user is not None and user.pk:
        free |= Q(user=user)
    return Staff.objects.filter(free, is_active=True).select_related("store").order_by("store__code", "role", "name")


def department_managers(*, store: Store, department: Department | None = None) -> QuerySet[User]:
    """Who may manage a department of the store: the store's active users (and the current manager)."""
    users = Q(stores=store, is_active=True)
    if department is not None and department.manager_id:
        users |= Q(pk=department.manager_id)
    return User.objects.filter(users).distinct().order_by("username")
