from django.urls import path

from reports import views
from reports.dashboard import views as dashboard_views
from reports.packages import views as package_views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("complaints/weekly/", views.complaints_weekly, name="complaints_weekly"),
    path("complaints/weekly/xlsx/", views.complaints_weekly_xlsx, name="complaints_weekly_xlsx"),
    path("callbacks/weekly/", views.callbacks_weekly, name="callbacks_weekly"),
    path("callbacks/weekly/xlsx/", views.callbacks_weekly_xlsx, name="callbacks_weekly_xlsx"),
    path("r/<slug:name>/", views.report_page, name="report"),
    path("r/<slug:name>/xlsx/", views.report_xlsx, name="report_xlsx"),
    # --- dashboard and report approval ---
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/staff/<int:pk>/", dashboard_views.staff_page, name="dashboard_staff"),
    path("me/", dashboard_views.my_satisfaction, name="my_satisfaction"),
    path("packages/", package_views.package_list, name="package_list"),
    path("packages/generate/", package_views.package_generate, name="package_generate"),
    path("packages/<int:pk>/", package_views.package_detail, name="package_detail"),
    path("packages/<int:pk>/xlsx/", package_views.package_download, name="package_download"),
    path("packages/<int:pk>/<slug:action>/", package_views.package_action, name="package_action"),
]
