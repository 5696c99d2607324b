from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.views import dms, lookups, reads, telephony

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Our template: drf-spectacular's own links Google Fonts (no CDN, issue 16).
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("dms/deliveries/", dms.DeliveriesPushView.as_view(), name="push_deliveries"),
    path("dms/repair-orders/", dms.RepairOrdersPushView.as_view(), name="push_repair_orders"),
    path("dms/callback-results/", dms.CallbackResultsPushView.as_view(), name="push_callback_results"),
    path("customers/lookup/", lookups.CustomerLookupView.as_view(), name="customer_lookup"),
    path("customers/<int:pk>/timeline/", lookups.CustomerTimelineView.as_view(), name="customer_timeline"),
    path("callback-tasks/", reads.CallbackTaskListView.as_view(), name="callback_tasks"),
    path("complaints/", reads.ComplaintListView.as_view(), name="complaints"),
    path("reminders/", reads.ReminderListView.as_view(), name="reminders"),
    path("reports/", reads.ReportListView.as_view(), name="reports"),
    path("reports/<str:name>/", reads.ReportTableView.as_view(), name="report_table"),
    path("reports/weekly/<str:name>/", reads.WeeklyReportView.as_view(), name="weekly_report"),
    path("telephony/events/", telephony.CallEventView.as_view(), name="call_events"),
    # Any other path under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^.*$", reads.NotFoundView.as_view(), name="not_found"),
]
