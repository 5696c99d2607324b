"""Every report this app provides, registered once at start-up (ReportsConfig.ready())."""

from crm.choices import Role
from reports.registry import register_report

COMPLAINT_ROLES = (Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER)
SATISFACTION_ROLES = (Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER)
CALLBACK_ROLES = (Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.CALLBACK_AGENT)


def register_all() -> None:
    from reports import callback_reports as callbacks
    from reports import card_analysis as cards
    from reports import complaint_reports as complaints
    from reports import satisfaction
    from reports import service_kpis as kpis
    from reports.sms_log import build_sms_log

    for order, (name, title, builder, own_rows, description) in enumerate(
        [
            (
                "sc_satisfaction",
                "销售顾问满意率统计表（表7）",
                satisfaction.build_sc_satisfaction,
                True,
                "按销售顾问：交车数、回访成功/未成功及原因、完全/基本/不满意数与比率。",
            ),
            (
                "sa_satisfaction",
                "服务顾问满意率统计表（表8）",
                satisfaction.build_sa_satisfaction,
                True,
                "按服务顾问：回访工单数、回访成功/未成功及原因、满意度与比率。",
            ),
            (
                "team_satisfaction",
                "维修班组满意率统计表（表8）",
                satisfaction.build_team_satisfaction,
                False,
                "按维修班组：回访工单数、回访成功/未成功及原因、满意度与比率。",
            ),
        ],
        start=10,
    ):
        register_report(
            name,
            title,
            builder,
            group="满意度",
            roles=SATISFACTION_ROLES,
            own_rows=own_rows,
            order=order,
            description=description,
        )

    register_report(
        "unsuccessful_callbacks",
        "回访不成功明细表（表3）",
        callbacks.build_unsuccessful_callbacks,
        group="回访",
        roles=CALLBACK_ROLES,
        phones=True,
        order=20,
        description="当月（按交车/工单交车时间）回访未成功的任务：最后一次结果、回访专员、原因。",
    )
    register_report(
        "uncertain_customers",
        "不确定客户记录表（表4）",
        callbacks.build_uncertain_customers,
        group="回访",
        roles=CALLBACK_ROLES,
        phones=True,
        order=21,
        description="回访发现的空号、错号及找回的正确联系方式。",
    )
    register_report(
        "callback_daily",
        "回访日报",
        callbacks.build_callback_daily,
        group="回访",
        roles=CALLBACK_ROLES,
        order=22,
        description="每天每位回访专员的拨打次数、成功、各类未成功与短信。",
    )

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
    register_report(
        "sms_log",
        "短信发送记录表（表13）",
        build_sms_log,
        group="回访",
        roles=CALLBACK_ROLES,
        phones=True,
        order=23,
        description="当月发出的每条短信：原因类型、发送时间、状态、客户回复内容。",
    )
    register_report(
        "card_analysis_sales",
        "A卡分析表（表11）",
        cards.build_card_analysis_sales,
        group="客户档案",
        order=60,
        description="当月交车客户按车型统计：性别、年龄、收入、区域、职业、信息来源、购买类型。",
    )
    register_report(
        "card_analysis_service",
        "C卡分析表（表12）",
        cards.build_card_analysis_service,
        group="客户档案",
        order=61,
        description="当月维修客户按车型统计：性别、年龄、收入、区域、职业、信息来源、购买类型。",
    )
    register_report(
        "service_kpis",
        "售后服务KPI",
        kpis.build_service_kpis,
        group="售后",
        roles=(Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER),
        own_rows=True,
        order=70,
        description="按服务顾问：一次修复率、按时交车率、预估准确率（±10%）。",
    )
