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
from django.utils.translation import gettext_lazy as _

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
    # A key of NAV_GROUPS: the item sits in that menu's dropdown; "": a link of its own.
    group: str = ""


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of the top navigation. A group the user sees only one item of shows that item as a link."""

    key: str
    label: str
    icon: str
    order: int


# The menus of the top navigation, so that the CR manager's dozen pages fit at 1280 px. Apps put
# their items in one by key (NavItem.group).
NAV_GROUPS = {
    group.key: group
    for group in (
        NavGroup("callbacks", _("回访"), "telephone", 20),
        NavGroup("complaints", _("投诉"), "exclamation-octagon", 30),
        NavGroup("reports", _("报表"), "bar-chart-line", 70),
        NavGroup("settings", _("设置"), "sliders", 90),
    )
}


@dataclass(frozen=True)
class NavEntry:
    """One entry of the top navigation: a link (`items` of one, no group) or a dropdown."""

    group: NavGroup | None
    items: tuple[NavItem, ...]

    @property
    def order(self) -> int:
        return self.group.order if self.group else self.items[0].order

    @property
    def url_names(self) -> list[str]:
        return [item.url_name for item in self.items]


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
    our_apps = {
        "crm",
        "surveys",
        "callbacks",
        "complaints",
        "reports",
        "retention",
        "winback",
        "improvement",
        "club",
        "api",
        "appointments",
        "auth",
        "django_celery_beat",
        "auditlog",
    }
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


def nav_menu_for(user) -> list[NavEntry]:
    """The user's items (nav_items_for) folded into NAV_GROUPS' dropdowns, in order."""
    grouped: dict[str, list[NavItem]] = {}
    entries: list[NavEntry] = []
    for item in nav_items_for(user):
        if item.group in NAV_GROUPS:
            grouped.setdefault(item.group, []).append(item)
        else:
            entries.append(NavEntry(None, (item,)))
    for key, items in grouped.items():
        entries.append(NavEntry(NAV_GROUPS[key] if len(items) > 1 else None, tuple(items)))
    return sorted(entries, key=lambda entry: entry.order)


def landing_url_name(user) -> str | None:
    for config in apps.get_app_configs():
        for role, url_name in getattr(config, "role_landing", {}).items():
            if user.has_role(role):
                return url_name
    return None
