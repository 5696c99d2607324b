"""The general manager's dashboard and its staff drill-down, and a consultant's own page (我的满意度)
built from the drill-down's selectors. Thin: parse, call selectors, render."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.masking import can_see_full_numbers
from crm.models import Staff
from crm.params import id_param, month_param
from crm.scoping import get_scoped_or_404
from reports.access import is_consultant, reports_for_user
from reports.dashboard import board as dashboard
from reports.dashboard import kpis


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
def dashboard_page(request):
    month = month_param(request.GET.get("month")) or dashboard.default_month()
    scope = dashboard.dashboard_scope(
        user=request.user, store_id=id_param(request.GET.get("store"), name="store"), month=month
    )
    context = {
        "scope": scope,
        "month_value": kpis.month_key(month),
        "data": dashboard.dashboard_data(scope=scope),
        # the report pages behind the 客户维系 figures, linked when the user may open them
        "report_links": {spec.name for spec in reports_for_user(request.user)},
        "chart_text": {
            "success_rate": _("回访成功率"),
            "sales_full_rate": _("销售完全满意率"),
            "service_full_rate": _("售后完全满意率"),
            "sla_rate": _("投诉时效达标率"),
            "complaints_received": _("受理"),
            "complaints_closed": _("已结案"),
            "complaints_red": _("当前红色"),
            "reminders_made": _("未跳过的提醒"),
            "lost_added": _("新增流失客户"),
            "recovered": _("已挽回"),
            "winback_rate": _("挽回率"),
            "return_first_service": _("首保回厂率"),
            "return_periodic_service": _("定保回厂率"),
            "return_warranty_end": _("质保到期回厂率"),
        },
    }
    return render(request, "reports/dashboard.html", context)


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
def staff_page(request, pk: int):
    staff = get_scoped_or_404(Staff.objects.select_related("store"), request.user, pk=pk)
    month = month_param(request.GET.get("month")) or dashboard.default_month()
    kind = dashboard.staff_kind(staff, request.GET.get("kind"))
    tasks = Paginator(dashboard.staff_month_tasks(staff=staff, kind=kind, month=month), 50)
    now = timezone.now()
    context = {
        "staff": staff,
        "kind": kind,
        "month_value": kpis.month_key(month),
        "summary": dashboard.staff_month_summary(staff=staff, kind=kind, month=month, now=now),
        "page_obj": tasks.get_page(request.GET.get("page")),
        "query_string": f"month={kpis.month_key(month)}&kind={kind}",
        "cases": dashboard.staff_month_cases(staff=staff, kind=kind, month=month, now=now),
    }
    return render(request, "reports/dashboard_staff.html", context)


@login_required
def my_satisfaction(request):
    """我的满意度: the consultant's own month — the figures of the GM's staff page, by the same
    selectors — with their twelve-month trend and their dissatisfied customers. Always the person
    linked to the login: the page takes no staff id."""
    if not is_consultant(request.user):
        raise PermissionDenied
    month = month_param(request.GET.get("month")) or dashboard.default_month()
    context = {"month_value": kpis.month_key(month), "staff": dashboard.own_staff(request.user)}
    if context["staff"] is None:
        return render(request, "reports/my_satisfaction.html", context)
    staff, now = context["staff"], timezone.now()
    kind = dashboard.staff_kind(staff)
    trend = dashboard.staff_trend(staff=staff, kind=kind, month=month, now=now)
    context |= {
        "kind": kind,
        "summary": dashboard.staff_month_summary(staff=staff, kind=kind, month=month, now=now),
        "trend": trend,
        "trend_chart": dashboard.staff_trend_chart(trend),
        "chart_text": {
            "mine": _("我的完全满意率"),
            "store": _("本店完全满意率"),
            "mine_dissatisfied": _("我的不满意率"),
            "store_dissatisfied": _("本店不满意率"),
        },
        "unhappy_tasks": dashboard.staff_month_unhappy_tasks(staff=staff, kind=kind, month=month),
        "cases": dashboard.staff_month_cases(staff=staff, kind=kind, month=month, now=now),
        "full_numbers": can_see_full_numbers(request.user),
    }
    return render(request, "reports/my_satisfaction.html", context)
