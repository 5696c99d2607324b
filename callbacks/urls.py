from django.urls import path

from callbacks import views

app_name = "callbacks"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_call, name="next_call"),
    path("tasks/<int:pk>/", views.call, name="call"),
    path("tasks/<int:pk>/touch/", views.call_touch, name="call_touch"),
    path("data-fixes/", views.data_fix_list, name="data_fix_list"),
    path("data-fixes/<int:pk>/", views.data_fix_edit, name="data_fix_edit"),
    path("hot-alerts/", views.hot_alert_list, name="hot_alert_list"),
    path("hot-alerts/<int:pk>/close/", views.hot_alert_close, name="hot_alert_close"),
    path("hot-alerts/close/", views.hot_alerts_close, name="hot_alerts_close"),
    path("daily/", views.daily_report, name="daily_report"),
    path("all/", views.manager_queue, name="manager_queue"),
]
