"""Reads for reporting tools: callback tasks, complaints, reminders (paginated, by store and month)
and the report tables of SPEC §9 as JSON, built by the same builders as the pages and exports."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from api.choices import Scope
from api.models import ApiClient
from api.selectors import (
    callback_tasks_for_client,
    client_stores,
    complaints_for_client,
    reminders_for_client,
)
from api.serializers import (
    CallbackTaskOutSerializer,
    ComplaintOutSerializer,
    ErrorSerializer,
    ReminderOutSerializer,
    ReportInfoSerializer,
    ReportTableSerializer,
    WeeklyReportSerializer,
)
from api.views.base import MONTH_PARAM, STORE_PARAM, WEEK_PARAM, ApiPagination, ClientMixin, ClientView
from crm.reporting import Figure, ReportTable
from reports.registry import UnknownReport, all_reports, all_weekly_reports, get_report, get_weekly_report
from reports.tables.complaints import week_bounds, week_label

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class ClientListView(ClientMixin, ListAPIView):
    required_scope = Scope.READ
    pagination_class = ApiPagination
    selector = None

    def get_queryset(self):
        return type(self).selector(client=self.client, store=self.store_param(), month=self.month_param())

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self.audit_counts = {"results": len(response.data.get("results", []))}
        return response


@extend_schema_view(
    get=extend_schema(
        operation_id="callback_tasks_list",
        summary="Callback tasks (by the month of their source event: the delivery's date, the RO's delivery time)",
        tags=["read"],
        parameters=[STORE_PARAM, MONTH_PARAM],
        responses={200: CallbackTaskOutSerializer(many=True), **ERRORS},
    )
)
class CallbackTaskListView(ClientListView):
    serializer_class = CallbackTaskOutSerializer
    selector = staticmethod(callback_tasks_for_client)


@extend_schema_view(
    get=extend_schema(
        operation_id="complaints_list",
        summary="Complaint cases (by the month received)",
        tags=["read"],
        parameters=[STORE_PARAM, MONTH_PARAM],
        responses={200: ComplaintOutSerializer(many=True), **ERRORS},
    )
)
class ComplaintListView(ClientListView):
    serializer_class = ComplaintOutSerializer
    selector = staticmethod(complaints_for_client)


@extend_schema_view(
    get=extend_schema(
        operation_id="reminders_list",
        summary="Reminders (by the month of their send date)",
        tags=["read"],
        parameters=[STORE_PARAM, MONTH_PARAM],
        responses={200: ReminderOutSerializer(many=True), **ERRORS},
    )
)
class ReminderListView(ClientListView):
    serializer_class = ReminderOutSerializer
    selector = staticmethod(reminders_for_client)


class ReportListView(ClientView):
    required_scope = Scope.READ

    @extend_schema(
        operation_id="reports_list",
        summary="The report tables this API serves",
        tags=["read"],
        responses={200: ReportInfoSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        data = [
            {
                "name": r.name,
                "title": str(r.title),
                "group": str(r.group),
                "period": r.period,
                "path": reverse("api:report_table", kwargs={"name": r.name}),
            }
            for r in all_reports()
        ] + [
            {
                "name": r.name,
                "title": str(r.title),
                "group": "",
                "period": "week",
                "path": reverse("api:weekly_report", kwargs={"name": r.name}),
            }
            for r in all_weekly_reports()
        ]
        return Response(ReportInfoSerializer(data, many=True).data)


def _json_value(value):
    """A report cell as JSON. A Figure (a "figure" column's cell) keeps its number as a number and
    its page text beside it (api.serializers.CELL_SCHEMA), never the text alone."""
    if isinstance(value, Figure):
        return {"value": float(value.value), "text": str(value.text)}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)


def table_as_json(table: ReportTable) -> dict:
    """A ReportTable as the export writes it: the columns' headers, every row in column order."""
    total = table.total_values()
    return {
        "name": table.name,
        "title": str(table.title),
        "store_label": str(table.store_label),
        "period_label": str(table.period_label),
        "columns": [{"key": c.key, "header": str(c.header), "kind": c.kind} for c in table.columns],
        "rows": [[_json_value(v) for v in table.values(row)] for row in table.rows],
        "total": [_json_value(v) for v in total] if total is not None else None,
        "notes": [str(n) for n in table.notes],
    }


NAME_PARAM = OpenApiParameter(
    "name", OpenApiTypes.STR, OpenApiParameter.PATH, description="a name of GET /reports/", pattern=r"^[a-z0-9_]+$"
)


class ClientReportView(ClientView):
    required_scope = Scope.READ

    def report_store_ids(self) -> list[int]:
        """`?store=` (one of the client's) or all the client's stores: crm.scoping's, as a page's
        report_access gives a user's."""
        store = self.store_param()
        return [store.pk] if store else list(client_stores(client=self.client).values_list("id", flat=True))


class ReportTableView(ClientReportView):
    @extend_schema(
        operation_id="report_table",
        summary="One report table of SPEC §9 for a month, as JSON (numbers masked)",
        tags=["read"],
        parameters=[NAME_PARAM, STORE_PARAM, MONTH_PARAM],
        responses={200: ReportTableSerializer, **ERRORS},
    )
    def get(self, request, name: str):
        try:
            spec = get_report(name)
        except UnknownReport:
            raise Http404 from None
        month = self.month_param(required=True)
        table = spec.build(store_ids=self.report_store_ids(), month=month, full_numbers=False)
        data = table_as_json(table)
        self.audit_counts = {"rows": len(data["rows"])}
        return Response(data)


class WeeklyReportView(ClientReportView):
    @extend_schema(
        operation_id="weekly_report",
        summary="A weekly report (the weekly complaint report, the weekly callback report) as JSON: "
        "its tables, built as the page builds them (numbers and customers' words masked)",
        tags=["read"],
        parameters=[
            # The names as an enum, so that the contract tests build each report. (The registry is
            # filled in ReportsConfig.ready(), before the URLconf imports this module.)
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="a weekly report of GET /reports/",
                enum=[spec.name for spec in all_weekly_reports()],
            ),
            STORE_PARAM,
            WEEK_PARAM,
        ],
        responses={200: WeeklyReportSerializer, **ERRORS},
    )
    def get(self, request, name: str):
        try:
            spec = get_weekly_report(name)
        except UnknownReport:
            raise Http404 from None
        day = self.week_param() or spec.default_day()
        tables = spec.build(store_ids=self.report_store_ids(), day=day, full_numbers=False)
        monday = week_bounds(day)[0]
        data = {
            "name": spec.name,
            "title": str(spec.title),
            "week": monday.isoformat(),
            "period_label": week_label(monday),
            "tables": [table_as_json(t) for t in tables],
        }
        self.audit_counts = {"rows": sum(len(t["rows"]) for t in data["tables"])}
        return Response(data)


class ClientIsAuthenticated(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiClient)


@extend_schema(exclude=True)
class NotFoundView(ClientView):
    """Any other path under /api/v1/: a JSON 404 for a client (not the site's HTML page); a caller
    without a valid token learns nothing (401), as on every other path."""

    permission_classes = [ClientIsAuthenticated]

    def dispatch_not_found(self, request, *args, **kwargs):
        raise NotFound

    get = post = put = patch = delete = dispatch_not_found
