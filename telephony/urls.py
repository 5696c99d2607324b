from django.urls import path

from telephony import views

app_name = "telephony"
urlpatterns = [
    path("dial/", views.dial, name="dial"),
    path("upload/<str:subject>/<int:pk>/", views.upload, name="upload"),
    path("recordings/<int:pk>/", views.recording, name="recording"),
    path("pop/", views.pop, name="pop"),
    path("pop/<int:pk>/open/", views.pop_open, name="pop_open"),
    path("pop/<int:pk>/dismiss/", views.pop_dismiss, name="pop_dismiss"),
    path("settings/", views.recording_settings, name="settings"),
]
