"""The CR manager's SLA calendar page: targets, the business-hours switch, working periods, dates."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints.calendar import calendar_day_delete as calendar_day_remove
from complaints.calendar import calendar_days_upsert, policy_for_store, sla_policy_update
from complaints.calendar_forms import CalendarDaysForm, SlaPolicyForm, WorkingPeriodFormSet
from complaints.models.calendar import CalendarDay, WorkingPeriod
from crm.scoping import stores_for_user

PERMISSION = "complaints.change_slapolicy"


def _policy_or_404(user, store_id: int):
    # Another store's id is a 404, never a 403 that tells the store exists.
    if not stores_for_user(user).filter(id=store_id).exists():
        raise Http404
    return policy_for_store(store_id)


def _render_detail(request, policy, *, status=200, **forms):
    context = {
        "policy": policy,
        "store": policy.store,
        "stores": stores_for_user(request.user).order_by("code"),
        "policy_form": forms.get("policy_form") or SlaPolicyForm(instance=policy),
        "period_formset": forms.get("period_formset")
        or WorkingPeriodFormSet(queryset=WorkingPeriod.objects.filter(policy=policy)),
        "days_form": forms.get("days_form") or CalendarDaysForm(),
        # From the start of last year on, in date order: the years a manager still plans or checks.
        "calendar_days": CalendarDay.objects.filter(
            policy=policy, date__gte=dt.date(timezone.localdate().year - 1, 1, 1)
        ).order_by("date"),
    }
    return render(request, "complaints/calendar_detail.html", context, status=status)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def calendar_store_list(request):
    store = stores_for_user(request.user).order_by("code").first()
    if store is None:
        raise Http404
    return redirect("complaints:calendar_detail", store_id=store.id)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def calendar_detail(request, store_id: int):
    return _render_detail(request, _policy_or_404(request.user, store_id))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def calendar_policy_update(request, store_id: int):
    policy = _policy_or_404(request.user, store_id)
    form = SlaPolicyForm(request.POST, instance=policy)
    if not form.is_valid():
        return _render_detail(request, policy, status=400, policy_form=form)
    sla_policy_update(policy=policy, **form.cleaned_data)
    messages.success(request, _("时效标准已保存。"))
    return redirect("complaints:calendar_detail", store_id=store_id)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def calendar_periods_update(request, store_id: int):
    policy = _policy_or_404(request.user, store_id)
    formset = WorkingPeriodFormSet(request.POST, queryset=WorkingPeriod.objects.filter(policy=policy))
    if not formset.is_valid():
        return _render_detail(request, policy, status=400, period_formset=formset)
    for period in formset.save(commit=False):
        period.policy = policy
        period.save()
    for period in formset.deleted_objects:
        period.delete()
    messages.success(request, _("工作时段已保存。"))
    return redirect("complaints:calendar_detail", store_id=store_id)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def calendar_days_add(request, store_id: int):
    policy = _policy_or_404(request.user, store_id)
    form = CalendarDaysForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, policy, status=400, days_form=form)
    saved = calendar_days_upsert(
        policy=policy, lines=form.cleaned_data["lines"], works_like=form.cleaned_data["works_like"]
    )
    messages.success(request, _("已保存 %(n)d 个特殊日期。") % {"n": saved})
    return redirect("complaints:calendar_detail", store_id=store_id)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def calendar_day_delete(request, store_id: int, day_id: int):
    policy = _policy_or_404(request.user, store_id)
    if not calendar_day_remove(policy=policy, day_id=day_id):
        raise Http404
    messages.success(request, _("特殊日期已删除。"))
    return redirect("complaints:calendar_detail", store_id=store_id)
