from django.urls import path

from crm import views
from crm.sms import views as sms_views

app_name = "crm"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/<slug:section>/", views.customer_edit, name="customer_edit"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("sms/", sms_views.outbox, name="sms_outbox"),
    path("sms/inbound/", sms_views.inbound, name="sms_inbound"),
    path("sms/replies/new/", sms_views.reply_enter, name="sms_reply_enter"),
    path("sms/<int:pk>/handled/", sms_views.mark_handled, name="sms_mark_handled"),
    path("sms/templates/", sms_views.template_list, name="sms_template_list"),
    path("sms/templates/<int:pk>/", sms_views.template_edit, name="sms_template_edit"),
]
