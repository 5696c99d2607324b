from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("complaints/weekly/", views.complaints_weekly, name="complaints_weekly"),
    path("complaints/weekly/xlsx/", views.complaints_weekly_xlsx, name="complaints_weekly_xlsx"),
    path("r/<slug:name>/", views.report_page, name="report"),
    path("r/<slug:name>/xlsx/", views.report_xlsx, name="report_xlsx"),
]
