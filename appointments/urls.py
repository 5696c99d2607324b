from django.urls import path

from appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.my_day, name="my_day"),
    path("new/", views.book, name="book"),
    path("slots/", views.slot_options, name="slot_options"),
    path("<int:pk>/state/", views.set_state, name="set_state"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("settings/", views.settings_edit, name="settings"),
]
