"""SMS pages: the outbox (table 13), replies entered by hand, the gateway's inbound endpoint, and
the templates the CR manager edits."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from crm.masking import can_see_full_numbers
from crm.params import text_param
from crm.scoping import get_scoped_or_404, stores_for_user
from crm.sms import selectors, services
from crm.sms.forms import OutboxFilterForm, ReplyEnterForm, SmsTemplateForm
from crm.sms.models import SmsMessage, SmsTemplate
from crm.sms.templates import preview_context, render_sms_text, sms_segments

PER_PAGE = 50
MOBILE_MAX_LENGTH = SmsMessage._meta.get_field("mobile").max_length


@login_required
@permission_required("crm.view_smsmessage", raise_exception=True)
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    f = getattr(form, "cleaned_data", {})
    qs = selectors.sms_outbox(
        user=request.user,
        status=f.get("status") or None,
        reason=f.get("reason") or None,
        direction=f.get("direction") or None,
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
        store_id=f["store"].pk if f.get("store") else None,
    )
    page_obj = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page_obj": page_obj,
        "query_string": params.urlencode(),
        "full_numbers": can_see_full_numbers(request.user),
        "waiting": selectors.sms_inbound_needing_person(user=request.user),
        "reply_form": ReplyEnterForm(),
        "can_change": request.user.has_perm("crm.change_smsmessage"),
    }
    return render(request, "crm/sms_outbox.html", context)


@login_required
@require_POST
@permission_required("crm.change_smsmessage", raise_exception=True)
def reply_enter(request: HttpRequest) -> HttpResponse:
    form = ReplyEnterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("crm:sms_outbox")
    try:
        reply = services.sms_receive(
            mobile=form.cleaned_data["mobile"], text=form.cleaned_data["text"], entered_by=request.user
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        if reply.applied:
            messages.success(request, _("已录入回复，评分%(score)s分已记入回访。") % {"score": reply.score})
        elif reply.handled:
            messages.success(request, _("已录入回复。"))
        else:
            messages.warning(request, _("已录入回复，需人工处理。"))
    return redirect("crm:sms_outbox")


@login_required
@require_POST
@permission_required("crm.change_smsmessage", raise_exception=True)
def mark_handled(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_scoped_or_404(SmsMessage.objects.all(), request.user, pk=pk)
    services.sms_mark_handled(message=message, user=request.user)
    return redirect("crm:sms_outbox")


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    """The gateway posts replies here: form or JSON fields `mobile`, `text` (optionally `id`,
    `received_at`), authenticated by the header X-SMS-Secret (no session, hence no CSRF token)."""
    if not services.inbound_secret_ok(request.headers.get("X-SMS-Secret")):
        return JsonResponse({"error": "forbidden"}, status=403)
    data = request.POST
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": "invalid JSON"}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"error": "invalid JSON"}, status=400)
    try:
        mobile = text_param(str(data.get("mobile") or ""), name="mobile", max_length=MOBILE_MAX_LENGTH)
        text = text_param(str(data.get("text") or ""), name="text")[:1000]
        provider_id = text_param(str(data.get("id") or ""), name="id")[:100]
    except BadRequest as error:
        return JsonResponse({"error": str(error)}, status=400)
    if not mobile or not text:
        return JsonResponse({"error": "mobile and text are required"}, status=400)
    try:
        received_at = parse_datetime(str(data.get("received_at") or ""))
    except ValueError:
        received_at = None
    if received_at is not None and timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)  # a naive time is Asia/Shanghai
    if received_at is not None and received_at > timezone.now():
        received_at = None  # a gateway clock ahead of ours: use ours
    reply = services.sms_receive(mobile=mobile, text=text, provider_id=provider_id, received_at=received_at)
    return JsonResponse({"id": reply.pk, "outcome": reply.outcome, "applied": reply.applied})


@login_required
@permission_required("crm.change_smstemplate", raise_exception=True)
def template_list(request: HttpRequest) -> HttpResponse:
    context = preview_context(stores_for_user(request.user).first())
    templates = [(t, sms_segments(render_sms_text(t.body, context))) for t in SmsTemplate.objects.order_by("code")]
    return render(request, "crm/sms_template_list.html", {"templates": templates})


@login_required
@permission_required("crm.change_smstemplate", raise_exception=True)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(SmsTemplate, pk=pk)
    form = SmsTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("短信模板已保存。"))
        return redirect("crm:sms_template_list")
    body = form["body"].value() or ""
    samples = preview_context(stores_for_user(request.user).first())
    preview = render_sms_text(body, samples)
    context = {
        "template": template,
        "form": form,
        "preview": preview,
        "segments": sms_segments(preview),
        "placeholders": samples,
    }
    return render(request, "crm/sms_template_edit.html", context)
