from django.urls import path

from voc import views

app_name = "voc"

urlpatterns = [
    path("", views.voc_page, name="page"),
    path("verbatims/", views.verbatim_list, name="verbatims"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<int:pk>/", views.feedback_record, name="feedback_record"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/new/", views.topic_edit, name="topic_create"),
    path("topics/<int:pk>/", views.topic_edit, name="topic_edit"),
]
