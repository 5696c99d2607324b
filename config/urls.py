import posixpath
import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

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

# Development media, except MEDIA_ROOT/private (complaint attachments, recordings): those are read
# only through their own views, which check that the user may see the record. The check is made on
# the path as `serve` will open it — normalised and joined to MEDIA_ROOT, symlinks resolved — not on
# the URL's text: media//private/… and media/./private/… name the same files as media/private/….
# The route exists under DEBUG only (and its view checks DEBUG again).
PRIVATE_MEDIA_DIR = "private"


def media_path_is_private(path: str) -> bool:
    """Whether `path` (below MEDIA_URL, as the URL gives it) opens a file of MEDIA_ROOT/private — or
    leaves MEDIA_ROOT, which `serve` refuses anyway."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / posixpath.normpath(path).lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return True
    # Compared without case: on macOS and Windows (where `make run` is used too) media/PRIVATE/…
    # opens the files of media/private/….
    first = target.relative_to(root).parts[:1]
    return bool(first) and first[0].casefold() == PRIVATE_MEDIA_DIR


def dev_media(request, path: str):
    if not settings.DEBUG or media_path_is_private(path):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


MEDIA_PATTERN = rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$"

if settings.DEBUG:
    urlpatterns += [re_path(MEDIA_PATTERN, dev_media)]
