"""Pages of the monthly report package: list (with the CR manager's generate form), detail with its
actions (submit, approve, return with a comment, regenerate), and the one-workbook download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm.models import Store
from crm.params import id_param, month_param
from crm.reporting import export_language, xlsx_response
from crm.scoping import get_scoped_or_404, scope_for_user, stores_for_user
from reports.dashboard import board as dashboard
from reports.dashboard import kpis
from reports.models import ReportPackage
from reports.packages import approval
from reports.packages.snapshot import package_workbook_tables, table_preview
from reports.services import report_export_log


def _packages(user):
    return scope_for_user(
        ReportPackage.objects.select_related("store", "generated_by", "submitted_by", "approved_by", "returned_by"),
        user,
    )


@login_required
@permission_required("reports.view_reportpackage", raise_exception=True)
def package_list(request):
    packages = _packages(request.user).defer("figures", "tables").order_by("-month", "store__code")
    context = {
        "page_obj": Paginator(packages, 50).get_page(request.GET.get("page")),
        "stores": stores_for_user(request.user),
        "default_month": kpis.month_key(dashboard.default_month()),
        "steps": approval.package_steps_for(request.user),
    }
    return render(request, "reports/package_list.html", context)


@login_required
@permission_required("reports.add_reportpackage", raise_exception=True)
@require_POST
def package_generate(request):
    store_id = id_param(request.POST.get("store"), name="store") or 0
    store = get_scoped_or_404(Store.objects.all(), request.user, store_field="id", pk=store_id)
    month = month_param(request.POST.get("month"))
    if month is None:
        messages.error(request, _("请选择月份。"))
        return redirect("reports:package_list")
    try:
        package = approval.report_package_generate(store=store, month=month, user=request.user)
    except approval.PackageError as error:
        messages.error(request, str(error))
        return redirect("reports:package_list")
    messages.success(request, _("报表包已生成。"))
    return redirect("reports:package_detail", pk=package.pk)


@login_required
@permission_required("reports.view_reportpackage", raise_exception=True)
def package_detail(request, pk: int):
    package = get_scoped_or_404(_packages(request.user), request.user, pk=pk)
    context = {
        "package": package,
        "data": dashboard.present(package.figures) if package.figures else None,
        "tables": [table_preview(t) for t in package.tables],
        "steps": approval.package_steps_for(request.user),
    }
    return render(request, "reports/package_detail.html", context)


# action -> (permission, service call)
ACTIONS = {
    "regenerate": (
        "reports.add_reportpackage",
        lambda p, user, post: approval.report_package_generate(store=p.store, month=p.month, user=user),
    ),
    "submit": (
        "reports.change_reportpackage",
        lambda p, user, post: approval.report_package_submit(package=p, user=user),
    ),
    "approve": (
        "reports.approve_reportpackage",
        lambda p, user, post: approval.report_package_approve(package=p, user=user),
    ),
    "return": (
        "reports.approve_reportpackage",
        lambda p, user, post: approval.report_package_return(package=p, user=user, comment=post.get("comment", "")),
    ),
}
ACTION_MESSAGES = {
    "regenerate": gettext_lazy("报表包已重新生成。"),
    "submit": gettext_lazy("报表包已提交总经理审批。"),
    "approve": gettext_lazy("报表包已批准。"),
    "return": gettext_lazy("报表包已退回。"),
}


@login_required
@permission_required("reports.view_reportpackage", raise_exception=True)
@require_POST
def package_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    permission, run = ACTIONS[action]
    package = get_scoped_or_404(_packages(request.user).defer("tables"), request.user, pk=pk)
    if not request.user.has_perm(permission):
        messages.error(request, _("您的角色无权执行此操作。"))
        return redirect("reports:package_detail", pk=pk)
    try:
        run(package, request.user, request.POST)
    except approval.PackageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, ACTION_MESSAGES[action])
    return redirect("reports:package_detail", pk=pk)


@login_required
@permission_required("reports.view_reportpackage", raise_exception=True)
def package_download(request, pk: int):
    package = get_scoped_or_404(_packages(request.user), request.user, pk=pk)
    with export_language():
        tables = package_workbook_tables(package)
    report_export_log(
        name="report_package",
        month=package.month,
        store_ids=[package.store_id],
        user=request.user,
        rows=sum(len(t.rows) for t in tables),
        via="package",
    )
    filename = f"report-package-{package.store.code}-{package.month:%Y-%m}-{package.state}.xlsx"
    with export_language():
        return xlsx_response(tables, filename)
