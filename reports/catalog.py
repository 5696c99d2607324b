"""Every report this app provides, registered once at start-up (ReportsConfig.ready()).

Titles, descriptions and groups are marked with gettext_noop: they stay Chinese strings here (sheet
names, the weekly link test) and the pages translate them when shown."""

from django.utils import timezone
from django.utils.translation import gettext_noop

from crm.choices import Role
from reports.registry import register_report, register_weekly_report
from reports.tables import (
    appointments,
    callback_weekly,
    callbacks,
    club,
    complaint_trends,
    complaints,
    reminders,
    satisfaction,
)
from reports.tables import card_analysis as cards
from reports.tables import service_kpis as kpis
from reports.tables.grumbles import build_grumbles
from reports.tables.sms_log import build_sms_log
from reports.tables.winback import build_lost_customers, build_winback_reasons

COMPLAINT_ROLES = (Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER)
SATISFACTION_ROLES = (Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER)
CALLBACK_ROLES = (Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.CALLBACK_AGENT)


def register_all() -> None:

    for order, (name, title, builder, own_rows, description) in enumerate(
        [
            (
                "sc_satisfaction",
                gettext_noop("销售顾问满意率统计表（表7）"),
                satisfaction.build_sc_satisfaction,
                True,
                gettext_noop("按销售顾问：交车数、回访成功/未成功及原因、完全/基本/不满意数与比率。"),
            ),
            (
                "sa_satisfaction",
                gettext_noop("服务顾问满意率统计表（表8）"),
                satisfaction.build_sa_satisfaction,
                True,
                gettext_noop("按服务顾问：回访工单数、回访成功/未成功及原因、满意度与比率。"),
            ),
            (
                "team_satisfaction",
                gettext_noop("维修班组满意率统计表（表8）"),
                satisfaction.build_team_satisfaction,
                False,
                gettext_noop("按维修班组：回访工单数、回访成功/未成功及原因、满意度与比率。"),
            ),
        ],
        start=10,
    ):
        register_report(
            name,
            title,
            builder,
            group=gettext_noop("满意度"),
            roles=SATISFACTION_ROLES,
            own_rows=own_rows,
            order=order,
            description=description,
        )

    register_report(
        "unsuccessful_callbacks",
        gettext_noop("回访不成功明细表（表3）"),
        callbacks.build_unsuccessful_callbacks,
        group=gettext_noop("回访"),
        roles=CALLBACK_ROLES,
        phones=True,
        order=20,
        description=gettext_noop("当月（按交车/工单交车时间）回访未成功的任务：最后一次结果、回访专员、原因。"),
    )
    register_report(
        "uncertain_customers",
        gettext_noop("不确定客户记录表（表4）"),
        callbacks.build_uncertain_customers,
        group=gettext_noop("回访"),
        roles=CALLBACK_ROLES,
        phones=True,
        order=21,
        description=gettext_noop("回访发现的空号、错号及找回的正确联系方式。"),
    )
    register_report(
        "callback_daily",
        gettext_noop("回访日报"),
        callbacks.build_callback_daily,
        group=gettext_noop("回访"),
        roles=CALLBACK_ROLES,
        order=22,
        description=gettext_noop("每天每位回访专员的拨打次数、成功、各类未成功与短信。"),
    )

    register_report(
        "grumbles",
        gettext_noop("抱怨客户联系处理表（表5）"),
        build_grumbles,
        group=gettext_noop("投诉"),
        roles=(*CALLBACK_ROLES, Role.DEPARTMENT_MANAGER),
        phones=True,
        order=49,
        description=gettext_noop(
            "当月回访发现、未转为投诉的抱怨：内容、处理过程、处理责任人、处理完毕日期、结果总结与再次回访。"
        ),
    )
    register_report(
        "complaints",
        gettext_noop("投诉明细表"),
        complaints.build_complaints,
        group=gettext_noop("投诉"),
        roles=COMPLAINT_ROLES,
        order=50,
        description=gettext_noop("当月受理的每一件投诉，含SLA颜色（白/黄/红/灰）。"),
    )
    register_report(
        "complaints_monthly",
        gettext_noop("投诉月报"),
        complaints.build_complaints_monthly,
        group=gettext_noop("投诉"),
        roles=COMPLAINT_ROLES,
        order=51,
        description=gettext_noop("按类别、等级、部门、渠道统计；时效达成；平均结案时长；受表扬与投诉最多的部门。"),
    )
    register_report(
        "complaints_quarterly",
        gettext_noop("投诉季报"),
        complaint_trends.build_complaints_quarterly,
        group=gettext_noop("投诉"),
        roles=COMPLAINT_ROLES,
        order=52,
        period="quarter",
        charts=complaint_trends.complaint_trend_charts,
        description=gettext_noop(
            "季度内逐月：按类别、等级、部门、渠道的投诉趋势；时效达成；表扬与批评（部门、员工）；附图表。"
        ),
    )
    register_report(
        "complaints_annual",
        gettext_noop("投诉年报"),
        complaint_trends.build_complaints_annual,
        group=gettext_noop("投诉"),
        roles=COMPLAINT_ROLES,
        order=53,
        period="year",
        charts=complaint_trends.complaint_trend_charts,
        description=gettext_noop("全年逐月：投诉趋势、时效达成、表扬与批评（部门、员工）；附图表。"),
    )
    register_report(
        "sms_log",
        gettext_noop("短信发送记录表（表13）"),
        build_sms_log,
        group=gettext_noop("回访"),
        roles=CALLBACK_ROLES,
        phones=True,
        order=23,
        description=gettext_noop("当月发出的每条短信：原因类型、发送时间、状态、客户回复内容。"),
    )
    register_report(
        "card_analysis_sales",
        gettext_noop("A卡分析表（表11）"),
        cards.build_card_analysis_sales,
        group=gettext_noop("客户档案"),
        order=60,
        description=gettext_noop("当月交车客户按车型统计：性别、年龄、收入、区域、职业、信息来源、购买类型。"),
    )
    register_report(
        "card_analysis_service",
        gettext_noop("C卡分析表（表12）"),
        cards.build_card_analysis_service,
        group=gettext_noop("客户档案"),
        order=61,
        description=gettext_noop("当月维修客户按车型统计：性别、年龄、收入、区域、职业、信息来源、购买类型。"),
    )
    register_report(
        "service_kpis",
        gettext_noop("售后服务KPI"),
        kpis.build_service_kpis,
        group=gettext_noop("售后"),
        roles=(Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER),
        own_rows=True,
        order=70,
        # full-width ％: `{% translate spec.description %}` would look an ASCII % up doubled and miss
        description=gettext_noop("按服务顾问：一次修复率、按时交车率、预估准确率（±10％）。"),
    )
    register_report(
        "reminder_summary",
        gettext_noop("提醒统计表"),
        reminders.build_reminder_summary,
        group=gettext_noop("客户维系"),
        order=80,
        description=gettext_noop(
            "按发送月份、提醒类型：提醒数、跳过、未跳过的提醒、短信已发、电话联系上、已预约、回厂与回厂率。"
        ),
    )
    register_report(
        "reminders",
        gettext_noop("提醒明细表"),
        reminders.build_reminders,
        group=gettext_noop("客户维系"),
        phones=True,
        order=81,
        description=gettext_noop("当月发送的每条提醒：类型、客户、车辆、到期日、发送日、渠道、状态、结果、是否回厂。"),
    )
    register_report(
        "lost_customers",
        gettext_noop("流失客户联络表（表16）"),
        build_lost_customers,
        group=gettext_noop("客户维系"),
        roles=CALLBACK_ROLES,
        phones=True,
        order=82,
        description=gettext_noop(
            "当月加入流失名单的客户：最近来店时间、服务顾问、最近一次联络结果与客户意见、是否挽回。"
        ),
    )
    register_report(
        "winback_reasons",
        gettext_noop("流失原因月报"),
        build_winback_reasons,
        group=gettext_noop("客户维系"),
        roles=(*CALLBACK_ROLES, Role.DEPARTMENT_MANAGER),
        order=83,
        description=gettext_noop("当月流失客户按原因类别统计，附客户原话，供服务部制定挽回措施。"),
    )
    for order, (name, title, builder, description) in enumerate(
        [
            (
                "club_members",
                gettext_noop("俱乐部会员等级分布"),
                club.build_club_members,
                gettext_noop("按门店：当月新发卡、月末有效会员及普卡/银卡/金卡人数。"),
            ),
            (
                "club_points",
                gettext_noop("会员积分月度发放与兑换"),
                club.build_club_points,
                gettext_noop("近12个月每月发放的积分（维修消费、活动、人工调整）与兑换的积分。"),
            ),
            (
                "club_revenue",
                gettext_noop("会员维修产值占比"),
                club.build_club_revenue,
                gettext_noop("按门店：当月维修产值（不含索赔）中来自会员车辆的金额与占比。"),
            ),
        ],
        start=90,
    ):
        register_report(
            name,
            title,
            builder,
            group=gettext_noop("车友俱乐部"),
            roles=(Role.CR_MANAGER, Role.GENERAL_MANAGER),
            order=order,
            description=description,
        )
    for order, (name, title, builder, description) in enumerate(
        [
            (
                "appointments_by_source",
                gettext_noop("预约到店统计（按来源）"),
                appointments.build_appointments_by_source,
                gettext_noop("当月预约按来源（提醒回访、流失挽回、回访、来电、到店）：预约数、到店率、爽约率。"),
            ),
            (
                "appointments_by_advisor",
                gettext_noop("预约到店统计（按服务顾问）"),
                appointments.build_appointments_by_advisor,
                gettext_noop("当月预约按服务顾问：预约数、到店、爽约、取消及到店率、爽约率。"),
            ),
        ],
        start=86,
    ):
        register_report(
            name,
            title,
            builder,
            group=gettext_noop("客户维系"),
            roles=CALLBACK_ROLES,
            order=order,
            description=description,
        )
    register_weekly_report(
        "complaints_weekly",
        gettext_noop("投诉周报"),
        complaints.build_complaints_weekly,
        default_day=timezone.localdate,
    )
    register_weekly_report(
        "callbacks_weekly",
        gettext_noop("售后回访周报"),
        callback_weekly.build_callbacks_weekly,
        # The week before last: the last whose callback windows have all closed.
        default_day=callback_weekly.default_week,
        phones=True,
    )
