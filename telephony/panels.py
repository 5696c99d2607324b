"""The telephone panels other apps' pages show through crm.page_panels: click-to-call and the calls
(with their recordings) on the callback and outreach call pages, the customer page and a complaint;
the screen-pop poll on every page. Each runs at most one query (the calls); perms are cached."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from crm.masking import can_see_full_numbers
from telephony import selectors

DIAL_PERMISSION = "telephony.add_dialrequest"
UPLOAD_PERMISSION = "telephony.add_callrecord"


def _render(request: HttpRequest, context: dict) -> str:
    user = request.user
    context = {
        "can_dial": user.has_perm(DIAL_PERMISSION) and can_see_full_numbers(user),
        "can_listen": user.has_perm(selectors.LISTEN_PERMISSION),
        **context,
    }
    return render_to_string("telephony/_call_panel.html", context, request=request)


def callback_call_panel(request: HttpRequest, task) -> str:
    if not request.user.has_perm("telephony.view_callrecord"):
        return ""
    calls = selectors.calls_for_task(user=request.user, callback_task_id=task.pk)
    return _render(
        request,
        {
            "customer": task.customer,
            "subject": "callback",
            "subject_id": task.pk,
            "calls": calls,
            "can_upload": request.user.has_perm(UPLOAD_PERMISSION),
            "upload_url": reverse("telephony:upload", args=["callback", task.pk]),
        },
    )


def outreach_call_panel(request: HttpRequest, task) -> str:
    if not request.user.has_perm("telephony.view_callrecord"):
        return ""
    calls = selectors.calls_for_task(user=request.user, outreach_task_id=task.pk)
    return _render(
        request,
        {
            "customer": task.customer,
            "subject": "outreach",
            "subject_id": task.pk,
            "calls": calls,
            "can_upload": request.user.has_perm(UPLOAD_PERMISSION),
            "upload_url": reverse("telephony:upload", args=["outreach", task.pk]),
        },
    )


def customer_panel(request: HttpRequest, customer) -> str:
    """The customer page: the dial buttons only (its calls are in the timeline, with their players)."""
    if not request.user.has_perm(DIAL_PERMISSION) or not can_see_full_numbers(request.user):
        return ""
    return _render(
        request,
        {"customer": customer, "subject": "customer", "subject_id": customer.pk, "calls": None, "compact": True},
    )


def complaint_panel(request: HttpRequest, case) -> str:
    calls = selectors.calls_for_complaint(user=request.user, case=case)
    if not calls:
        return ""
    # The case page has checked the user may see the case: its calls are heard through it.
    return render_to_string("telephony/_complaint_calls.html", {"calls": calls, "can_listen": True}, request=request)


def pop_poll_panel(request: HttpRequest, _obj) -> str:
    """Every page of a user with an extension's permission polls for an inbound call's pop."""
    if not request.user.has_perm(DIAL_PERMISSION):
        return ""
    return render_to_string("telephony/_pop_poll.html", {}, request=request)
