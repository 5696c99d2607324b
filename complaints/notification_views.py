"""The notification bell, the list page, open (mark read and follow) and mark all read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from complaints.notifications import (
    bell,
    notification_mark_read,
    notifications_for_user,
    notifications_mark_all_read,
)
from crm.params import safe_next_url

PAGE_SIZE = 20


@login_required
@require_GET
def notification_list(request):
    page_obj = Paginator(notifications_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/notifications_list.html", {"page_obj": page_obj})


@require_GET
def notification_bell(request):
    """The bell alone, for the htmx refresh every 60 s."""
    if not request.user.is_authenticated:
        # Not a redirect to the login page, which htmx would paste into the navbar: 286 tells htmx
        # to stop polling.
        return HttpResponse(status=286)
    count, rows = bell(request.user)
    context = {"bell_unread_count": count, "bell_notifications": rows}
    return render(request, "partials/bell.html", context)


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark read and follow the notification's link (only a link inside this site)."""
    notification = notification_mark_read(user=request.user, notification_id=pk)
    return redirect(safe_next_url(request, notification.url, reverse("complaints:notification_list")))


@login_required
@require_POST
def notification_mark_all_read(request):
    notifications_mark_all_read(user=request.user)
    return redirect(safe_next_url(request, request.POST.get("next"), reverse("complaints:notification_list")))
