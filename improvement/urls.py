from django.urls import path

from improvement import views

app_name = "improvement"

urlpatterns = [
    path("audits/", views.audit_weeks, name="audit_weeks"),
    path("audits/<int:store_id>/<str:week>/", views.audit_checklist, name="audit_checklist"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/actions/", views.action_create, name="action_create"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action_complete"),
    path("actions/<int:pk>/sign-off/", views.action_sign_off, name="action_sign_off"),
]
