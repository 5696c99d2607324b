from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

# --- SLA calendar and notifications (helper complaints-cal) ---
# Notifications need no permission: every signed-in user has a bell and a list of their own.
CALENDAR_ROLE_PERMISSIONS = {
    Role.CR_MANAGER: ["complaints.view_slapolicy", "complaints.change_slapolicy"],
}


def calendar_nav_items() -> list:
    # crm.roles imports auth models, so it can only be imported once the app registry is ready.
    from crm.roles import NavItem

    return [NavItem(_("时效日历"), "complaints:calendar_store_list", "complaints.change_slapolicy", "calendar3", 80)]


class ComplaintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "complaints"
    verbose_name = _("投诉")

    role_permissions = CALENDAR_ROLE_PERMISSIONS
    nav_items: list = []

    def ready(self) -> None:
        self.nav_items = [*self.nav_items, *calendar_nav_items()]
