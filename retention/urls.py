from django.urls import path

from retention import views

app_name = "retention"
urlpatterns = [
    path("tasks/<int:pk>/", views.call, name="call"),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report_export"),
    path("settings/", views.settings_edit, name="settings"),
    path("festivals/", views.festivals, name="festivals"),
]
