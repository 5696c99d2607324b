"""Telephone pages: click-to-call, recording upload and playback, the inbound screen pop, and each
store's recording retention. The CTI reports its call events through the API (api.views.telephony)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callbacks.models import CallbackTask
from crm.models import Customer
from crm.params import id_param
from crm.scoping import get_scoped_or_404, stores_for_user
from retention.models import OutreachTask
from telephony import recordings, selectors, services
from telephony.forms import RecordingSettingsForm, RecordingUploadForm
from telephony.models import StoreRecordingSettings

SUBJECTS = {"callback": CallbackTask, "outreach": OutreachTask}
SUBJECT_PAGES = {"callback": "callbacks:call", "outreach": "retention:call"}


def _dial_subject(request: HttpRequest) -> dict:
    """The page's object the dial request names (scoped: another store's id is a 404)."""
    subject = request.POST.get("subject", "")
    pk = id_param(request.POST.get("id"), name="id")
    if pk is None:
        raise Http404
    if subject == "customer":
        customer = get_scoped_or_404(Customer.objects.all(), request.user, pk=pk)
        return {"customer": customer}
    if subject not in SUBJECTS:
        raise Http404
    task = get_scoped_or_404(SUBJECTS[subject].objects.select_related("customer"), request.user, pk=pk)
    return {"customer": task.customer, f"{subject}_task": task}


@login_required
@require_POST
@permission_required("telephony.add_dialrequest", raise_exception=True)
def dial(request: HttpRequest) -> HttpResponse:
    """Click-to-call (htmx): rings the agent's extension, then the customer. The answer is a fragment
    saying so, or the error for the agent (a CTI outage is a message, never an error page)."""
    subject = _dial_subject(request)
    customer = subject["customer"]
    number = customer.landline if request.POST.get("which") == "landline" else customer.mobile
    try:
        dial_request = services.dial_request_create(user=request.user, number=number, **subject)
    except services.DialError as exc:
        return render(request, "telephony/_dial_result.html", {"error": str(exc)})
    return render(request, "telephony/_dial_result.html", {"dial": dial_request})


@login_required
@require_POST
@permission_required("telephony.add_callrecord", raise_exception=True)
def upload(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    if subject not in SUBJECTS:
        raise Http404
    task = get_scoped_or_404(SUBJECTS[subject].objects.all(), request.user, pk=pk)
    form = RecordingUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            recordings.recording_upload_for_task(
                user=request.user, upload=form.cleaned_data["recording"], **{f"{subject}_task": task}
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("录音已上传。"))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect(SUBJECT_PAGES[subject], pk=task.pk)


@login_required
def recording(request: HttpRequest, pk: int) -> HttpResponse:
    """Plays one recording for a user who may see its call (selectors.call_record_for_listening);
    the file is read through the storage, never served from MEDIA_URL."""
    record = selectors.call_record_for_listening(user=request.user, pk=pk)
    if not record.recording:
        raise Http404
    try:
        handle = record.recording.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=record.recording_content_type or "application/octet-stream")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("telephony.add_dialrequest", raise_exception=True)
def pop(request: HttpRequest) -> HttpResponse:
    """The screen-pop poll (htmx, every few seconds, one query): the banner of an answered inbound
    call the agent has not opened yet, or nothing."""
    return render(request, "telephony/_pop.html", {"call": selectors.call_pop_for(user=request.user)})


@login_required
def pop_open(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.call_pop_dismiss(user=request.user, record_id=pk)
    if record is None:
        raise Http404
    if record.customer_id:
        return redirect("crm:customer_detail", pk=record.customer_id)
    return redirect(f"{reverse('crm:search')}?q={record.number}")


@login_required
@require_POST
def pop_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    services.call_pop_dismiss(user=request.user, record_id=pk)
    return HttpResponse("")


@login_required
@permission_required("telephony.change_storerecordingsettings", raise_exception=True)
def recording_settings(request: HttpRequest) -> HttpResponse:
    """录音保存期 per store (default 24 months)."""
    stores = list(stores_for_user(request.user).order_by("code"))
    existing = {s.store_id: s for s in StoreRecordingSettings.objects.filter(store__in=stores)}
    rows = []
    saved = False
    for store in stores:
        instance = existing.get(store.pk) or StoreRecordingSettings(store=store)
        data = request.POST if request.POST.get("store") == str(store.pk) else None
        form = RecordingSettingsForm(data, instance=instance, prefix=f"s{store.pk}")
        if form.is_bound and form.is_valid():
            form.save()
            saved = True
        rows.append((store, form))
    if saved:
        messages.success(request, _("录音保存期已保存。"))
        return redirect("telephony:settings")
    return render(request, "telephony/settings.html", {"rows": rows})
