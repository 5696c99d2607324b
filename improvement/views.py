"""Pages of file audits (table 14), improvement meetings and EQC actions (table 15). Thin: parse,
call improvement.audits / services / selectors, render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.params import choice_param, date_param, id_param, text_param
from crm.scoping import get_scoped_or_404, stores_for_user, user_can_see_store
from improvement import audits, selectors, services
from improvement.eqc import eqc_evaluate
from improvement.forms import AuditForm, EqcActionForm, MeetingForm, MeetingMinutesForm, SignOffForm
from improvement.models import EqcAction, ImprovementMeeting
from reports.dashboard.kpis import KINDS

PER_PAGE = 30


# --- file audits ----------------------------------------------------------------------------------


@login_required
@permission_required("improvement.view_fileaudit", raise_exception=True)
def audit_weeks(request):
    store_id = id_param(request.GET.get("store"), name="store")
    page = Paginator(selectors.audit_weeks(user=request.user, store_id=store_id), PER_PAGE)
    return render(
        request,
        "improvement/audit_weeks.html",
        {
            "page_obj": page.get_page(request.GET.get("page")),
            "stores": list(stores_for_user(request.user)),
            "store_id": store_id,
            "query_string": f"store={store_id}" if store_id else "",
        },
    )


@login_required
@permission_required("improvement.view_fileaudit", raise_exception=True)
def audit_checklist(request, store_id: int, week: str):
    monday = date_param(week, name="week")
    if not user_can_see_store(request.user, store_id) or monday is None:
        raise Http404
    rows = selectors.week_audits(user=request.user, store_id=store_id, week=monday)
    if not rows:
        raise Http404
    staff = selectors.store_staff(store_id=store_id)
    choices = [(s.pk, s.name) for s in staff]
    can_edit = request.user.has_perm("improvement.change_fileaudit")
    data = request.POST if request.method == "POST" and can_edit else None
    forms = [
        AuditForm(
            data,
            prefix=f"a{audit.pk}",
            staff_choices=choices,
            initial={
                "status": audit.status,
                "abnormal_description": audit.abnormal_description,
                "improvement_measure": audit.improvement_measure,
                "responsible": audit.responsible_id,
            },
        )
        for audit in rows
    ]
    if data is not None and _save_checklist(request, rows, forms, {s.pk: s for s in staff}):
        return redirect(request.path)
    return render(
        request,
        "improvement/audit_checklist.html",
        {
            "rows": list(zip(rows, forms, strict=True)),
            "store": rows[0].store,
            "week": monday,
            "sunday": monday + dt.timedelta(days=6),
            "can_edit": can_edit,
        },
    )


def _save_checklist(request, rows, forms, staff_by_id) -> bool:
    """Save every row that was filled in (rows left at — stay unchecked); all or nothing."""
    if not all(form.is_valid() for form in forms):
        messages.error(request, _("请修正标红的行。"))
        return False
    try:
        with transaction.atomic():
            saved = 0
            for audit, form in zip(rows, forms, strict=True):
                data = form.cleaned_data
                if not data["status"]:
                    continue
                audits.file_audit_record(
                    audit=audit,
                    user=request.user,
                    status=data["status"],
                    abnormal_description=data["abnormal_description"],
                    improvement_measure=data["improvement_measure"],
                    responsible=staff_by_id.get(data["responsible"]),
                )
                saved += 1
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False
    messages.success(request, _("已保存 %(count)s 份档案的检核结果。") % {"count": saved})
    return True


# --- meetings -------------------------------------------------------------------------------------


@login_required
@permission_required("improvement.view_improvementmeeting", raise_exception=True)
def meeting_list(request):
    stores = list(stores_for_user(request.user))
    form = None
    if request.user.has_perm("improvement.add_improvementmeeting"):
        form = MeetingForm(
            request.POST if request.method == "POST" else None,
            stores=stores,
            initial={"held_on": timezone.localdate()},
        )
        if request.method == "POST" and form.is_valid():
            store = next(s for s in stores if s.pk == form.cleaned_data["store"])
            meeting = services.meeting_create(
                store=store,
                user=request.user,
                held_on=form.cleaned_data["held_on"],
                attendees=form.cleaned_data["attendees"],
                minutes=form.cleaned_data["minutes"],
            )
            messages.success(request, _("会议已记录。"))
            return redirect("improvement:meeting_detail", pk=meeting.pk)
    page = Paginator(selectors.meetings(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "improvement/meeting_list.html", {"page_obj": page, "form": form})


@login_required
@permission_required("improvement.view_improvementmeeting", raise_exception=True)
def meeting_detail(request, pk: int):
    meeting = get_scoped_or_404(ImprovementMeeting.objects.select_related("store", "chaired_by"), request.user, pk=pk)
    minutes_form = None
    if request.user.has_perm("improvement.change_improvementmeeting"):
        minutes_form = MeetingMinutesForm(request.POST if request.method == "POST" else None, instance=meeting)
        if request.method == "POST" and minutes_form.is_valid():
            services.meeting_update(meeting=meeting, **minutes_form.cleaned_data)
            messages.success(request, _("会议纪要已保存。"))
            return redirect("improvement:meeting_detail", pk=meeting.pk)
    action_form = None
    if request.user.has_perm("improvement.add_eqcaction"):
        kind = choice_param(request.GET.get("kind"), KINDS, name="kind")
        code = text_param(request.GET.get("code"), name="code", max_length=10)
        initial = {"question": f"{kind}:{code}"} if kind and code else {}
        action_form = EqcActionForm(questions=services.weak_item_choices(), initial=initial)
    actions = list(selectors.actions(user=request.user).filter(meeting=meeting).order_by("id"))
    return render(
        request,
        "improvement/meeting_detail.html",
        {
            "meeting": meeting,
            "figures": selectors.meeting_figures(meeting=meeting),
            "minutes_form": minutes_form,
            "action_form": action_form,
            "actions": _with_evaluations(actions),
            "today": timezone.localdate(),
            "sign_off_form": SignOffForm(),
        },
    )


@login_required
@require_POST
@permission_required("improvement.add_eqcaction", raise_exception=True)
def action_create(request, pk: int):
    meeting = get_scoped_or_404(ImprovementMeeting.objects.all(), request.user, pk=pk)
    form = EqcActionForm(request.POST, questions=services.weak_item_choices())
    if form.is_valid():
        kind, code = form.question_key()
        try:
            services.eqc_action_create(
                meeting=meeting,
                kind=kind,
                code=code,
                cause_analysis=form.cleaned_data["cause_analysis"],
                measure=form.cleaned_data["measure"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
            messages.success(request, _("改善措施已添加。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("改善措施未保存：%(errors)s") % {"errors": _form_errors(form)})
    return redirect("improvement:meeting_detail", pk=meeting.pk)


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[name].label}：{' '.join(errs)}" for name, errs in form.errors.items() if name in form.fields
    )


# --- actions --------------------------------------------------------------------------------------


def _with_evaluations(actions: list[EqcAction]) -> list[EqcAction]:
    evaluations = eqc_evaluate(actions)
    today = timezone.localdate()
    for action in actions:
        action.evaluation = evaluations[action.pk]
        action.is_overdue = action.completed_on is None and action.due_on < today
    return actions


@login_required
@permission_required("improvement.view_eqcaction", raise_exception=True)
def action_list(request):
    overdue_only = choice_param(request.GET.get("overdue"), ["1"], name="overdue") == "1"
    qs = selectors.overdue_actions(user=request.user) if overdue_only else selectors.actions(user=request.user)
    page = Paginator(qs.order_by("-decision_month", "due_on", "id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "improvement/action_list.html",
        {
            "page_obj": page,
            "actions": _with_evaluations(list(page.object_list)),
            "overdue_only": overdue_only,
            "query_string": "overdue=1" if overdue_only else "",
            "sign_off_form": SignOffForm(),
        },
    )


@login_required
@require_POST
@permission_required("improvement.change_eqcaction", raise_exception=True)
def action_complete(request, pk: int):
    action = get_scoped_or_404(EqcAction.objects.all(), request.user, pk=pk)
    services.eqc_action_complete(action=action)
    messages.success(request, _("已标记为完成。"))
    return redirect("improvement:meeting_detail", pk=action.meeting_id)


@login_required
@require_POST
@permission_required("improvement.sign_off_eqcaction", raise_exception=True)
def action_sign_off(request, pk: int):
    action = get_scoped_or_404(EqcAction.objects.all(), request.user, pk=pk)
    form = SignOffForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        services.eqc_action_sign_off(action=action, user=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("总经理检核已签字。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("improvement:action_list")
