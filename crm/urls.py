from django.urls import path

from crm import views
from crm.administration import views as admin_views
from crm.operations import views as operations_views
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
    # --- the administrator's pages (users, stores, departments) ---
    path("settings/users/", admin_views.user_list, name="user_list"),
    path("settings/users/new/", admin_views.user_edit, name="user_create"),
    path("settings/users/<int:pk>/", admin_views.user_edit, name="user_edit"),
    path("settings/users/<int:pk>/deactivate/", admin_views.user_deactivate_view, name="user_deactivate"),
    path("settings/stores/", admin_views.store_index, name="store_list"),
    path("settings/stores/new/", admin_views.store_edit, name="store_create"),
    path("settings/stores/<int:pk>/", admin_views.store_edit, name="store_edit"),
    path("settings/stores/<int:store_pk>/departments/new/", admin_views.department_edit, name="department_create"),
    path("settings/stores/<int:store_pk>/departments/<int:pk>/", admin_views.department_edit, name="department_edit"),
    path("healthz", operations_views.healthz, name="healthz"),
    path("operations/", operations_views.operations, name="operations"),
]
