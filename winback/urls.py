from django.urls import path

from winback import views

app_name = "winback"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("at-risk/", views.at_risk_list, name="at_risk"),
    path("summary/", views.summary, name="reasons"),
    path("settings/", views.settings_page, name="settings"),
    path("<int:pk>/", views.entry_detail, name="entry_detail"),
]
