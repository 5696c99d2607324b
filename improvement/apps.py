from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

# Agents check the sampled files; the CR manager reads the audits, records meetings and their
# actions; the GM reads everything and signs actions off (总经理检核).
ROLE_PERMISSIONS = {
    Role.CALLBACK_AGENT: ["improvement.view_fileaudit", "improvement.change_fileaudit"],
    Role.CR_MANAGER: [
        "improvement.view_fileaudit",
        "improvement.change_fileaudit",
        "improvement.view_improvementmeeting",
        "improvement.add_improvementmeeting",
        "improvement.change_improvementmeeting",
        "improvement.view_eqcaction",
        "improvement.add_eqcaction",
        "improvement.change_eqcaction",
    ],
    Role.GENERAL_MANAGER: [
        "improvement.view_fileaudit",
        "improvement.view_improvementmeeting",
        "improvement.view_eqcaction",
        "improvement.sign_off_eqcaction",
    ],
}


class ImprovementConfig(AppConfig):
    """File audits (SPEC §10.4, table 14) and improvement meetings with EQC actions (§10.5, table 15)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "improvement"
    verbose_name = _("持续改善")

    role_permissions = ROLE_PERMISSIONS
    nav_items: list = []

    def ready(self) -> None:
        from crm.roles import NavItem

        self.nav_items = [
            NavItem(
                _("档案检核"),
                "improvement:audit_weeks",
                "improvement.view_fileaudit",
                "clipboard-check",
                24,
                group="callbacks",
            ),
            NavItem(
                _("改善讨论会"),
                "improvement:meeting_list",
                "improvement.view_improvementmeeting",
                "people",
                75,
                group="reports",
            ),
            NavItem(
                _("EQC改善措施"),
                "improvement:action_list",
                "improvement.view_eqcaction",
                "graph-up-arrow",
                76,
                group="reports",
            ),
        ]
        from django.utils.translation import gettext_noop

        from improvement.tables import build_eqc_actions, build_file_audits
        from reports.catalog import CALLBACK_ROLES
        from reports.registry import register_report

        register_report(
            "file_audits",
            gettext_noop("客户档案检核表（表14）"),
            build_file_audits,
            group=gettext_noop("持续改善"),
            roles=CALLBACK_ROLES,
            order=140,
            description=gettext_noop("每周抽检的销售与售后档案：检核状态、异常描述、改进措施、问题责任人。"),
        )
        register_report(
            "eqc_actions",
            gettext_noop("EQC改善措施跟踪表（表15）"),
            build_eqc_actions,
            group=gettext_noop("持续改善"),
            order=141,
            description=gettext_noop("当月决议的改善措施及其基准、+1/+2/+3月三个月累计结果与检核结果。"),
        )
