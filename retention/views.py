"""Retention pages: the outreach call page (reminder and win-back calls, worked from the callback
queue), the store's reminder settings and its festival calendar. Thin over services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments.selectors import advisor_choices
from appointments.slots import booking_day, slot_choices
from crm.masking import can_see_full_numbers
from crm.params import id_param
from crm.scoping import get_scoped_or_404, store_being_edited
from retention import services
from retention.choices import REMINDER_KINDS, WINBACK_KINDS, OutreachKind, OutreachResult, OutreachState
from retention.festivals import festival_calendar_ensure
from retention.forms import FestivalDateForm, OutreachAttemptForm, ReminderKindForm, ReminderSettingsForm
from retention.models import FestivalDate, OutreachTask, Reminder
from retention.scripts import outreach_script
from retention.store_settings import reminder_settings_save, store_reminder_rules


@login_required
@permission_required("retention.view_outreachtask", raise_exception=True)
def call(request, pk: int):
    task = get_scoped_or_404(
        OutreachTask.objects.select_related("customer", "vehicle", "store", "claimed_by"), request.user, pk=pk
    )
    if request.method == "POST" and not request.user.has_perm("retention.add_outreachattempt"):
        raise PermissionDenied
    booking_day_ = booking_day(request.POST.get("booked_on"))
    form = OutreachAttemptForm(
        request.POST or None,
        kind=task.kind,
        slots=slot_choices(store_id=task.store_id, day=booking_day_),
        advisors=advisor_choices(store_id=task.store_id),
    )
    holder = None
    if request.method == "POST" and task.state != OutreachState.OPEN:
        messages.error(request, _("该任务已结束，不能再记录。"))
        return redirect("retention:call", pk=task.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.outreach_attempt_record(task=task, user=request.user, **form.cleaned_data)
        except services.TaskHeldByOther as exc:
            form.add_error(None, exc.messages)
            holder = services.outreach_task_holder(task=task, user=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已记录：%(r)s") % {"r": OutreachResult(form.cleaned_data["result"]).label})
            return redirect("callbacks:queue")
    elif (
        request.method == "GET"
        and task.state == OutreachState.OPEN
        and request.user.has_perm("retention.add_outreachattempt")
    ):
        # Only a user who may record takes the claim (the general manager reads the page).
        try:
            if not services.outreach_task_touch(task=task, user=request.user):
                holder = services.outreach_task_holder(task=task, user=request.user)
        except services.ClaimBusy:
            pass
    reminder = Reminder.objects.filter(outreach_task=task).only("due_on", "send_on", "kind").first()
    context = {
        "task": task,
        "form": form,
        "holder": holder,
        "reminder": reminder,
        "closed": task.state != OutreachState.OPEN,
        "script": outreach_script(task, due_on=reminder.due_on if reminder else None),
        "attempts": list(task.attempts.select_related("user").order_by("-contacted_at", "-id")),
        "results": [(i, value, label) for i, (value, label) in enumerate(form.fields["result"].choices, start=1)],
        "is_winback": task.kind in WINBACK_KINDS,
        "full_numbers": can_see_full_numbers(request.user),
        "heartbeat_seconds": 60,
        "booking_day": booking_day,
    }
    return render(request, "retention/call.html", context)


@login_required
@require_POST
@permission_required("retention.add_outreachattempt", raise_exception=True)
def call_touch(request, pk: int):
    """The outreach call page's heartbeat, as the callback call page's: while the agent is active at the
    page, keeps the claim alive past the idle timeout. 204 when held; else the claim-lost warning."""
    task = get_scoped_or_404(OutreachTask.objects.all(), request.user, pk=pk)
    try:
        held = services.outreach_task_touch(task=task, user=request.user)
    except services.ClaimBusy:
        held = True  # a lost retry counts as held: recording checks the claim again
    if held:
        return HttpResponse(status=204)
    return render(request, "callbacks/_claim_lost.html", {"task": task})


@login_required
@permission_required("retention.change_remindersettings", raise_exception=True)
def settings_edit(request):
    store, stores = store_being_edited(request.user, request.GET.get("store"))
    rules = store_reminder_rules(store.id)
    numbers = rules.numbers
    form = ReminderSettingsForm(request.POST or None, instance=numbers, prefix="n")
    kind_forms = [
        (kind, ReminderKindForm(request.POST or None, instance=rules.kinds[kind], prefix=kind))
        for kind in REMINDER_KINDS
    ]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _kind, f in kind_forms):
        reminder_settings_save(
            store=store,
            numbers=form.cleaned_data,
            kinds={kind: f.cleaned_data for kind, f in kind_forms},
        )
        messages.success(request, _("提醒设置已保存。"))
        return redirect(f"{request.path}?store={store.pk}")
    labels = dict(OutreachKind.choices)
    context = {
        "store": store,
        "stores": stores,
        "form": form,
        "kind_forms": [(labels[kind], f) for kind, f in kind_forms],
    }
    return render(request, "retention/settings.html", context)


@login_required
@permission_required("retention.change_festivaldate", raise_exception=True)
def festivals(request):
    store, stores = store_being_edited(request.user, request.GET.get("store"))
    festival_calendar_ensure(store=store)
    form = FestivalDateForm(request.POST or None)
    if request.method == "POST":
        delete_id = id_param(request.POST.get("delete"), name="delete")
        if delete_id is not None:
            get_scoped_or_404(FestivalDate.objects.all(), request.user, pk=delete_id, store=store).delete()
            messages.success(request, _("节日已删除。"))
            return redirect(f"{request.path}?store={store.pk}")
        if form.is_valid():
            FestivalDate.objects.get_or_create(store=store, **form.cleaned_data)
            messages.success(request, _("节日已添加。"))
            return redirect(f"{request.path}?store={store.pk}")
    days = list(FestivalDate.objects.filter(store=store).order_by("date", "festival"))
    return render(request, "retention/festivals.html", {"store": store, "stores": stores, "form": form, "days": days})
