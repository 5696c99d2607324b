"""Roles as Django groups, their permissions, their navigation and their landing page.

Each app's AppConfig declares, as plain data:
- `role_permissions`: {role code: ["app_label.codename", ...]}
- `nav_items`: [NavItem(...)] shown in the top navigation to users holding the permission
- `role_landing`: {role code: "url-name"}, where the home page sends a user of that role
so that no app edits another's files. `sync_role_permissions` (run after every migrate) makes the
groups' permissions match the declarations.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from crm.choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str  # "app_label.codename"; the item shows when the user has it
    icon: str = "circle"  # bootstrap-icons name
    order: int = 100
    # A further test where the permission alone says too much (e.g. reports: a role may hold the
    # permission and still have no report to open); None: the permission decides.
    visible_to: Callable[..., bool] | None = None


def declared_role_permissions() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared[role].update(perms)
    # The administrator manages users, stores and settings: every permission of our apps.
    return declared


def sync_role_permissions(**_kwargs) -> None:
    """Create the role groups if missing and set each group's permissions to what apps declare."""
    declared = declared_role_permissions()
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    our_apps = {"crm", "surveys", "callbacks", "complaints", "reports", "auth", "django_celery_beat", "auditlog"}
    admin_perms = [p for key, p in all_perms.items() if key.split(".")[0] in our_apps]
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=role)
        if role == Role.ADMINISTRATOR:
            group.permissions.set(admin_perms)
            continue
        group.permissions.set([all_perms[key] for key in declared[role] if key in all_perms])


def nav_items_for(user) -> list[NavItem]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "nav_items", []))
    shown = (i for i in items if user.has_perm(i.permission) and (i.visible_to is None or i.visible_to(user)))
    return sorted(shown, key=lambda i: i.order)


def landing_url_name(user) -> str | None:
    for config in apps.get_app_configs():
        for role, url_name in getattr(config, "role_landing", {}).items():
            if user.has_role(role):
                return url_name
    return None
