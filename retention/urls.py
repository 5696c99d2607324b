from django.urls import path

from retention import views

app_name = "retention"
urlpatterns = [
    path("tasks/<int:pk>/", views.call, name="call"),
    path("tasks/<int:pk>/touch/", views.call_touch, name="call_touch"),
    path("settings/", views.settings_edit, name="settings"),
    path("festivals/", views.festivals, name="festivals"),
]
