"""Report pages: the index, one page per report (store and month filters, the table, the .xlsx
download of the very same table) and the weekly complaint report. Views parse, call, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from crm.masking import can_see_full_numbers
from crm.reporting import export_language, xlsx_response
from reports.access import can_open_weekly_complaints, report_access, reports_for_user
from reports.dashboard.kpis import month_key
from reports.forms import ReportFilterForm, WeekFilterForm
from reports.periods import default_month
from reports.presentation import display_table
from reports.services import report_export_log
from reports.tables import complaints as complaint_reports


def _parse(request, form_class):
    """The filter form and its values; a store outside the user's stores is a 404 (never shown).

    A month report opens on last month (reports.periods.default_month), written into the form so
    that the page always shows the month in view and the download link carries it.
    """
    params = request.GET.copy()
    if "month" in form_class.base_fields and not params.get("month"):
        params["month"] = month_key(default_month())
    form = form_class(params or None, user=request.user)
    if not params:
        return form, {}
    if form.is_valid():
        return form, form.cleaned_data
    if "store" in form.errors:
        raise Http404
    return form, None


def _build(request, name):
    """(form, access, table, month); table is None when the filters are invalid."""
    form, data = _parse(request, ReportFilterForm)
    store = (data or {}).get("store")
    access = report_access(request.user, name, store.id if store else None)
    if data is None:
        return form, access, None, None
    month = data.get("month") or default_month()
    table = access.spec.build(
        store_ids=access.store_ids,
        month=month,
        staff_id=access.staff_id,
        full_numbers=can_see_full_numbers(request.user),
    )
    return form, access, table, month


@login_required
def report_index(request):
    specs = reports_for_user(request.user)
    weekly = can_open_weekly_complaints(request.user)
    groups: dict[str, list] = {}
    for spec in specs:
        groups.setdefault(spec.group or "其他", []).append(spec)
    return render(request, "reports/index.html", {"groups": groups, "weekly": weekly})


@login_required
def report_page(request, name):
    form, access, table, _month = _build(request, name)
    context = {"form": form, "spec": access.spec, "own_rows": access.staff_id is not None}
    if table is None:
        return render(request, "reports/report.html", {**context, "display": None}, status=400)
    context.update(display=display_table(table), query=form.data.urlencode())
    return render(request, "reports/report.html", context)


@login_required
def report_xlsx(request, name):
    with export_language():
        _form, access, table, month = _build(request, name)
        if table is None:
            raise Http404
        response = xlsx_response(table, f"{name}_{month:%Y-%m}.xlsx")
    report_export_log(
        name=name, month=month, store_ids=access.store_ids, user=request.user, rows=response.rows_written, via="page"
    )
    return response


def _weekly(request):
    if not can_open_weekly_complaints(request.user):
        raise Http404
    form, data = _parse(request, WeekFilterForm)
    store = (data or {}).get("store")
    access = report_access(request.user, "complaints", store.id if store else None)
    if data is None:
        return form, access, None, None
    day = data.get("week") or timezone.localdate()
    return form, access, complaint_reports.build_complaints_weekly(store_ids=access.store_ids, day=day), day


@login_required
def complaints_weekly(request):
    form, _access, tables, _day = _weekly(request)
    if tables is None:
        return render(request, "reports/weekly.html", {"form": form, "displays": []}, status=400)
    displays = [display_table(t) for t in tables]
    return render(
        request, "reports/weekly.html", {"form": form, "displays": displays, "query": request.GET.urlencode()}
    )


@login_required
def complaints_weekly_xlsx(request):
    with export_language():
        _form, access, tables, day = _weekly(request)
        if tables is None:
            raise Http404
        monday, _start, _end = complaint_reports.week_bounds(day)
        response = xlsx_response(tables, f"complaints_weekly_{monday:%Y-%m-%d}.xlsx")
    report_export_log(
        name="complaints_weekly",
        month=monday,
        period=complaint_reports.week_label(monday),
        store_ids=access.store_ids,
        user=request.user,
        rows=response.rows_written,
        via="page",
    )
    return response
