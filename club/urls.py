from django.urls import path

from club import views

app_name = "club"
urlpatterns = [
    path("", views.card_list, name="card_list"),
    path("cards/<int:pk>/", views.card_detail, name="card_detail"),
    path("cards/<int:pk>/<str:action>/", views.card_action, name="card_action"),
    path("enrol/<int:customer_pk>/", views.enrol, name="enrol"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("settings/", views.settings_edit, name="settings"),
]
