from django.urls import path

from surveylink import views

app_name = "surveylink"
urlpatterns = [
    # /s/<token>/: short for an SMS; the token is the only key (no task or customer id).
    path("<str:token>/", views.survey_page, name="page"),
]
