from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("报表")

    nav_items: list = []

    def ready(self) -> None:
        from crm.roles import NavItem
        from reports.catalog import register_all

        register_all()
        # The reports app has no model of its own (so no permission of its own yet): the nav item
        # shows to holders of complaints.view_case, which every role that may open a report holds;
        # the index then lists only the reports the user's roles allow (reports.access).
        self.nav_items = [
            *self.nav_items,
            NavItem(_("报表"), "reports:index", "complaints.view_case", "bar-chart-line", 70),
        ]
