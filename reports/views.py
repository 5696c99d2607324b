"""Report pages: the index, one page per report (store and month filters, the table, the .xlsx
download of the very same table) and the weekly complaint report. Views parse, call, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from crm.masking import can_see_full_numbers
from crm.reporting import export_language, xlsx_response
from reports.access import (
    can_open_weekly_callbacks,
    can_open_weekly_complaints,
    report_access,
    reports_for_user,
)
from reports.dashboard.kpis import month_key
from reports.forms import PERIOD_FORMS, CallbackWeekFilterForm, WeekFilterForm
from reports.periods import default_month, period_key
from reports.presentation import display_table
from reports.registry import UnknownReport, get_report, get_weekly_report
from reports.services import report_export_log
from reports.tables import callback_weekly
from reports.tables import complaints as complaint_reports


def _parse(request, form_class):
    """The filter form and its values; a store outside the user's stores is a 404 (never shown).

    A month report opens on last month (reports.periods.default_month), written into the form so
    that the page always shows the month in view and the download link carries it.
    """
    params = request.GET.copy()
    if "month" in form_class.base_fields and not params.get("month"):
        params["month"] = month_key(default_month())
    for key, value in getattr(form_class, "default_params", dict)().items():
        if not params.get(key):
            params[key] = value
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
    try:
        period = get_report(name).period
    except UnknownReport:
        raise Http404 from None
    form, data = _parse(request, PERIOD_FORMS[period])
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
    weekly_callbacks = can_open_weekly_callbacks(request.user)
    groups: dict[str, list] = {}
    for spec in specs:
        groups.setdefault(spec.group or "其他", []).append(spec)
    if weekly_callbacks:
        # The service manager reads the weekly callback report without the callback tables' group:
        # its link is listed under 回访 all the same.
        groups.setdefault("回访", [])
    return render(
        request, "reports/index.html", {"groups": groups, "weekly": weekly, "weekly_callbacks": weekly_callbacks}
    )


@login_required
def report_page(request, name):
    form, access, table, _month = _build(request, name)
    context = {"form": form, "spec": access.spec, "own_rows": access.staff_id is not None}
    if table is None:
        return render(request, "reports/report.html", {**context, "display": None}, status=400)
    charts = access.spec.charts(table.materialize()) if access.spec.charts else []
    context.update(display=display_table(table), query=form.data.urlencode(), charts=charts)
    return render(request, "reports/report.html", context)


@login_required
def report_xlsx(request, name):
    with export_language():
        _form, access, table, month = _build(request, name)
        if table is None:
            raise Http404
        key = period_key(access.spec.period, month)
        response = xlsx_response(table, f"{name}_{key}.xlsx")
    report_export_log(
        name=name,
        month=month,
        period=key,
        store_ids=access.store_ids,
        user=request.user,
        rows=response.rows_written,
        via="page",
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
    spec = get_weekly_report("complaints_weekly")
    day = data.get("week") or spec.default_day()
    return form, access, spec.build(store_ids=access.store_ids, day=day), day


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


def _callbacks_weekly(request):
    """(form, store_ids, tables, monday) of the weekly callback report; tables None when invalid."""
    if not can_open_weekly_callbacks(request.user):
        raise Http404
    form, data = _parse(request, CallbackWeekFilterForm)
    store = (data or {}).get("store")
    access = report_access(request.user, "sa_satisfaction", store.id if store else None)
    if data is None:
        return form, access.store_ids, None, None
    spec = get_weekly_report("callbacks_weekly")
    day = data.get("week") or spec.default_day()
    monday, _start, _end = complaint_reports.week_bounds(day)
    tables = spec.build(store_ids=access.store_ids, day=day, full_numbers=can_see_full_numbers(request.user))
    return form, access.store_ids, tables, monday


@login_required
def callbacks_weekly(request):
    form, _stores, tables, _monday = _callbacks_weekly(request)
    if tables is None:
        return render(request, "reports/callbacks_weekly.html", {"form": form, "displays": []}, status=400)
    context = {
        "form": form,
        "displays": [display_table(t) for t in tables],
        "charts": callback_weekly.callbacks_weekly_chart(tables[0]),
        "query": form.data.urlencode(),
    }
    return render(request, "reports/callbacks_weekly.html", context)


@login_required
def callbacks_weekly_xlsx(request):
    with export_language():
        _form, store_ids, tables, monday = _callbacks_weekly(request)
        if tables is None:
            raise Http404
        response = xlsx_response(tables, f"callbacks_weekly_{monday:%Y-%m-%d}.xlsx")
    report_export_log(
        name="callbacks_weekly",
        month=monday,
        period=complaint_reports.week_label(monday),
        store_ids=store_ids,
        user=request.user,
        rows=response.rows_written,
        via="page",
    )
    return response
