from django.urls import path

from callbacks import views
from callbacks.grumbles import views as grumble_views

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
    path("grumbles/", grumble_views.grumble_list, name="grumble_list"),
    path("grumbles/<int:pk>/", grumble_views.grumble_detail, name="grumble_detail"),
    path("grumbles/<int:pk>/edit/", grumble_views.grumble_update, name="grumble_update"),
    path("grumbles/<int:pk>/recall/", grumble_views.grumble_recall, name="grumble_recall"),
    path("daily/", views.daily_report, name="daily_report"),
    path("all/", views.manager_queue, name="manager_queue"),
]
