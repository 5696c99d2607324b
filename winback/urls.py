from django.urls import path

app_name = "winback"
urlpatterns: list = []
