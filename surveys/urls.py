from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.template_list, name="template_list"),
    path("new/", views.template_create, name="template_create"),
    path("<int:pk>/", views.template_detail, name="template_detail"),
    path("<int:pk>/activate/", views.template_activate, name="template_activate"),
    path("<int:pk>/questions/new/", views.question_edit, name="question_add"),
    path("<int:pk>/questions/<str:code>/", views.question_edit, name="question_edit"),
    path("<int:pk>/questions/<str:code>/delete/", views.question_delete, name="question_delete"),
    path("scripts/", views.script_list, name="script_list"),
    path("scripts/new/", views.script_edit, name="script_add"),
    path("scripts/<int:pk>/", views.script_edit, name="script_edit"),
]
