"""Every report this app provides, registered once at start-up (ReportsConfig.ready())."""

from crm.choices import Role
from reports.registry import register_report

COMPLAINT_ROLES = (Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER)


def register_all() -> None:
    from reports import complaint_reports as complaints

    register_report(
        "complaints",
        "投诉明细表",
        complaints.build_complaints,
        group="投诉",
        roles=COMPLAINT_ROLES,
        order=50,
        description="当月受理的每一件投诉，含SLA颜色（白/黄/红/灰）。",
    )
    register_report(
        "complaints_monthly",
        "投诉月报",
        complaints.build_complaints_monthly,
        group="投诉",
        roles=COMPLAINT_ROLES,
        order=51,
        description="按类别、等级、部门、渠道统计；时效达成；平均结案时长；受表扬与投诉最多的部门。",
    )
