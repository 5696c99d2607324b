from django.urls import path

from complaints import calendar_views, notification_views, views

app_name = "complaints"
urlpatterns: list = [
    path("cases/", views.case_list, {"view": "all"}, name="case_list"),
    path("cases/mine/", views.case_list, {"view": "mine"}, name="my_cases"),
    path("cases/department/", views.case_list, {"view": "department"}, name="department_inbox"),
    path("cases/escalations/", views.case_list, {"view": "escalations"}, name="escalations"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("cases/<int:pk>/print/", views.case_print, name="case_print"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
]

# --- SLA calendar and notifications (helper complaints-cal) ---
urlpatterns += [
    path("calendar/", calendar_views.calendar_store_list, name="calendar_store_list"),
    path("calendar/<int:store_id>/", calendar_views.calendar_detail, name="calendar_detail"),
    path("calendar/<int:store_id>/policy/", calendar_views.calendar_policy_update, name="calendar_policy_update"),
    path("calendar/<int:store_id>/periods/", calendar_views.calendar_periods_update, name="calendar_periods_update"),
    path("calendar/<int:store_id>/days/", calendar_views.calendar_days_add, name="calendar_days_add"),
    path(
        "calendar/<int:store_id>/days/<int:day_id>/delete/",
        calendar_views.calendar_day_delete,
        name="calendar_day_delete",
    ),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/bell/", notification_views.notification_bell, name="notification_bell"),
    path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification_open"),
    path("notifications/read-all/", notification_views.notification_mark_all_read, name="notification_mark_all_read"),
]
