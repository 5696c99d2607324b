from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

# --- SLA calendar and notifications (helper complaints-cal) ---
# Notifications need no permission: every signed-in user has a bell and a list of their own.
CALENDAR_ROLE_PERMISSIONS = {
    Role.CR_MANAGER: ["complaints.view_slapolicy", "complaints.change_slapolicy"],
}

# --- complaint cases ---
# view_case: the lists and the case page; add_case: intake; change_case: workflow actions (which
# action each role may run is the WORKFLOW table of complaints.choices).
CASE_ROLE_PERMISSIONS = {
    Role.CALLBACK_AGENT: ["complaints.view_case", "complaints.add_case"],
    Role.RECEPTION: ["complaints.view_case", "complaints.add_case"],
    Role.CR_MANAGER: ["complaints.view_case", "complaints.add_case", "complaints.change_case"],
    Role.DEPARTMENT_MANAGER: ["complaints.view_case", "complaints.change_case"],
    Role.CONSULTANT: ["complaints.view_case", "complaints.change_case"],
    Role.GENERAL_MANAGER: ["complaints.view_case", "complaints.change_case"],
    Role.ADMINISTRATOR: ["complaints.view_case"],
}


def _merged(*tables: dict) -> dict:
    merged: dict = {}
    for table in tables:
        for role, perms in table.items():
            merged.setdefault(role, []).extend(perms)
    return merged


def calendar_nav_items() -> list:
    # crm.roles imports auth models, so it can only be imported once the app registry is ready.
    from crm.roles import NavItem

    return [
        NavItem(
            _("时效日历"),
            "complaints:calendar_store_list",
            "complaints.change_slapolicy",
            "calendar3",
            80,
            group="settings",
        )
    ]


def case_nav_items() -> list:
    from crm.roles import NavItem

    return [
        NavItem(
            _("投诉"), "complaints:case_list", "complaints.view_case", "exclamation-octagon", 30, group="complaints"
        )
    ]


class ComplaintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "complaints"
    verbose_name = _("投诉")

    role_permissions = _merged(CALENDAR_ROLE_PERMISSIONS, CASE_ROLE_PERMISSIONS)
    nav_items: list = []
    # A consultant lands on reports:my_satisfaction (their figures and their complaints).
    role_landing = {
        Role.CR_MANAGER: "complaints:case_list",
        Role.DEPARTMENT_MANAGER: "complaints:department_inbox",
    }

    def ready(self) -> None:
        self.nav_items = [*self.nav_items, *case_nav_items(), *calendar_nav_items()]
        from complaints.importing import ComplaintSheet
        from complaints.timeline import complaint_timeline_entries
        from crm.importing.registry import register_sheet
        from crm.timeline import register_timeline_provider

        register_sheet(ComplaintSheet())
        register_timeline_provider(complaint_timeline_entries)
        from complaints.notifications import notifications_stuck_probe
        from crm.operations.stuck import register_stuck_probe

        register_stuck_probe(notifications_stuck_probe())

        from complaints.selectors import complaint_search_section
        from crm.search import register_search_provider

        register_search_provider(complaint_search_section)

        from auditlog.registry import auditlog

        from complaints.models import CaseAttachment

        # Upload and delete of a case's files in the audit log (who, when, which file), beside
        # the CaseEvent on the case's own timeline.
        auditlog.register(CaseAttachment)
