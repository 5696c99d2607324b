"""Grumble pages: the register (抱怨登记) and one grumble's table-5 record. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callbacks.grumbles import rules, selectors, services
from callbacks.grumbles.forms import GrumbleFilterForm, GrumbleForm, RecallForm
from crm.masking import can_see_full_numbers
from crm.scoping import stores_for_user


@login_required
@permission_required("callbacks.view_grumble", raise_exception=True)
def grumble_list(request):
    # The register opens on this month (the CR staff's working set, and a cheap read at scale: a
    # register of every month joins each alert to its callback task); a blank month means all.
    data = request.GET or {"month": f"{timezone.localdate():%Y-%m}"}
    form = GrumbleFilterForm(data, stores=stores_for_user(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.grumble_register(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    full = can_see_full_numbers(request.user)
    for alert in page:
        alert.number = selectors.grumble_number(alert)
        alert.record = rules.grumble_record(alert)
        alert.done = rules.grumble_is_done(alert.record)
        alert.content = rules.grumble_content(alert, alert.record, full=full)
    context = {"form": form, "page_obj": page, "query_string": query.urlencode()}
    return render(request, "callbacks/grumble_list.html", context)


def _detail(request, alert, *, form=None, recall_form=None, status=200):
    record = rules.grumble_record(alert)
    if form is None:
        initial = (
            {} if record else {"content": "；".join([*alert.reasons, selectors.grumble_call_note(alert)]).strip("；")}
        )
        form = GrumbleForm(instance=record, initial=initial, store_id=alert.task.store_id)
    context = {
        "alert": alert,
        "record": record,
        "done": rules.grumble_is_done(record),
        "content": rules.grumble_content(alert, record, full=can_see_full_numbers(request.user)),
        "full_numbers": can_see_full_numbers(request.user),
        "number": selectors.grumble_number(alert),
        "form": form,
        "recall_form": recall_form or RecallForm(initial={"recall_note": record.recall_note if record else ""}),
        "may_change": request.user.has_perm("callbacks.change_grumble"),
    }
    return render(request, "callbacks/grumble_detail.html", context, status=status)


@login_required
@permission_required("callbacks.view_grumble", raise_exception=True)
def grumble_detail(request, pk: int):
    return _detail(request, selectors.grumble_alert(user=request.user, pk=pk))


@login_required
@permission_required("callbacks.change_grumble", raise_exception=True)
@require_POST
def grumble_update(request, pk: int):
    alert = selectors.grumble_alert(user=request.user, pk=pk)
    form = GrumbleForm(request.POST, instance=rules.grumble_record(alert), store_id=alert.task.store_id)
    if form.is_valid():
        try:
            services.grumble_save(alert=alert, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("抱怨处理记录已保存。"))
            return redirect("callbacks:grumble_detail", pk=alert.pk)
    return _detail(request, alert, form=form, status=400)


@login_required
@permission_required("callbacks.change_grumble", raise_exception=True)
@require_POST
def grumble_recall(request, pk: int):
    alert = selectors.grumble_alert(user=request.user, pk=pk)
    form = RecallForm(request.POST)
    if form.is_valid():
        try:
            services.grumble_recall(alert=alert, user=request.user, note=form.cleaned_data["recall_note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("再次回访记录已保存。"))
            return redirect("callbacks:grumble_detail", pk=alert.pk)
    return _detail(request, alert, recall_form=form, status=400)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
