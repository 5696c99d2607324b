from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

# --- dashboard and report approval (helper dashboard) ---
# view_dashboard: the GM's dashboard and its staff pages; add/change_reportpackage: the CR manager
# generates and submits a month's package; approve_reportpackage: the GM approves or returns it.
DASHBOARD_ROLE_PERMISSIONS = {
    Role.CR_MANAGER: [
        "reports.view_dashboard",
        "reports.view_reportpackage",
        "reports.add_reportpackage",
        "reports.change_reportpackage",
    ],
    Role.GENERAL_MANAGER: [
        "reports.view_dashboard",
        "reports.view_reportpackage",
        "reports.approve_reportpackage",
    ],
}


def dashboard_nav_items() -> list:
    # crm.roles imports auth models, so it can only be imported once the app registry is ready.
    from crm.roles import NavItem

    return [
        NavItem(_("经营看板"), "reports:dashboard", "reports.view_dashboard", "speedometer2", 10),
        NavItem(_("月度报表包"), "reports:package_list", "reports.view_reportpackage", "archive", 72, group="reports"),
    ]


def my_page_nav_items() -> list:
    from crm.roles import NavItem
    from reports.access import is_consultant

    # Every consultant holds complaints.view_case; the role decides (a consultant without a linked
    # staff record still gets the page, which says so).
    return [
        NavItem(_("我的满意度"), "reports:my_satisfaction", "complaints.view_case", "person-check", 11, is_consultant)
    ]


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("报表")

    role_permissions = DASHBOARD_ROLE_PERMISSIONS
    nav_items: list = []
    role_landing = {Role.GENERAL_MANAGER: "reports:dashboard", Role.CONSULTANT: "reports:my_satisfaction"}

    def ready(self) -> None:
        from crm.roles import NavItem
        from reports.catalog import register_all

        register_all()
        from reports.access import has_any_report

        # The report pages hold no model of their own: the nav item shows to holders of
        # complaints.view_case (every role that may open a report holds it) who have at least one
        # report to open — a reception specialist files complaints but reads no report; the index
        # lists only the reports the user's roles allow (reports.access).
        self.nav_items = [
            *self.nav_items,
            NavItem(
                _("报表"),
                "reports:index",
                "complaints.view_case",
                "bar-chart-line",
                70,
                has_any_report,
                group="reports",
            ),
            *dashboard_nav_items(),
            *my_page_nav_items(),
        ]
