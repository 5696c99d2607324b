from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from crm.roles import landing_url_name


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its main page; a user with no landing page sees the navigation cards."""
    url_name = landing_url_name(request.user)
    if url_name:
        return redirect(url_name)
    return render(request, "crm/home.html")
