import re

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("callbacks/", include("callbacks.urls")),
    path("retention/", include("retention.urls")),
    path("complaints/", include("complaints.urls")),
    path("surveys/", include("surveys.urls")),
    path("reports/", include("reports.urls")),
    path("winback/", include("winback.urls")),
    path("improvement/", include("improvement.urls")),
    path("club/", include("club.urls")),
    path("api/v1/", include("api.urls")),
    path("voc/", include("voc.urls")),
    # The customer's survey link (no login): short, for an SMS.
    path("s/", include("surveylink.urls")),
    path("appointments/", include("appointments.urls")),
    path("telephony/", include("telephony.urls")),
    path("", include("crm.urls")),
]

# Development media, except MEDIA_ROOT/private (complaint attachments): those are read only
# through complaints:attachment_download, which checks that the user may see the case.
MEDIA_PATTERN = rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?!private/)(?P<path>.*)$"

if settings.DEBUG:
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [re_path(MEDIA_PATTERN, serve, {"document_root": settings.MEDIA_ROOT})]
