"""/healthz for the load balancer and the administrator's operations page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm.administration.access import is_administrator
from crm.operations.health import health_report
from crm.operations.stuck import stuck_work


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker, beat and at least one worker are alive, else 503; JSON
    details either way. No login (the load balancer has none) and nothing sensitive in it."""
    report = health_report()
    body = {
        "status": "ok" if report["ok"] else "fail",
        "checks": {name: check.public() for name, check in report["checks"].items()},
    }
    return JsonResponse(body, status=200 if report["ok"] else 503)


@login_required
def operations(request: HttpRequest) -> HttpResponse:
    if not is_administrator(request.user):
        raise PermissionDenied
    report = health_report()
    return render(request, "crm/operations.html", {"report": report, "stuck": stuck_work()})
