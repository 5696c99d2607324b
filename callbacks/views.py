"""Callback pages: thin views over callbacks.services and callbacks.selectors."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callbacks import hot_alerts, queue_sources, selectors, services
from callbacks.choices import DISPOSITION_RULES, Bucket, CallbackKind, TaskState, disposition_rule
from callbacks.forms import (
    AttemptForm,
    DataFixForm,
    HotAlertCloseForm,
    QueueFilterForm,
    questionnaire_answers,
    questionnaire_rows,
)
from callbacks.models import CallbackTask, DataFixRecord, HotAlert
from crm.links import pk_url_prefix
from crm.masking import can_see_full_numbers
from crm.params import choice_param, date_param, id_list_param, id_param
from crm.scoping import get_scoped_or_404


@login_required
@permission_required("callbacks.view_callbacktask", raise_exception=True)
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    kind = filters.get("kind") or None
    tasks = []
    if kind is None or kind in CallbackKind.values:
        tasks = selectors.callback_queue(
            user=request.user,
            kind=kind,
            expiring=filters.get("expiring", False),
            my_appointments=filters.get("mine", False),
        )
    room = selectors.QUEUE_PAGE_SIZE - len(tasks)
    if (kind is None or kind not in CallbackKind.values) and not filters.get("mine") and room > 0:
        # Reminder and win-back calls (other apps' sources): one query each, after the callbacks, in
        # the room the page has left — "next call" too reaches them only when no callback waits.
        tasks = tasks + queue_sources.extra_queue_rows(
            user=request.user,
            now=timezone.now(),
            kind=kind,
            expiring=filters.get("expiring", False),
            limit=room,
        )
    counts = selectors.callback_queue_counts(user=request.user)
    # The reminder and win-back calls count with the callbacks (one query per source).
    for key, n in queue_sources.extra_queue_counts(user=request.user, now=timezone.now()).items():
        counts[key] = counts.get(key, 0) + n
    context = {
        "tasks": tasks,
        "counts": counts,
        "form": form,
        "filtered": any(filters.values()),
        "next_kind": kind if kind not in CallbackKind.values else "",
        "call_url": pk_url_prefix("callbacks:call"),
    }
    return render(request, "callbacks/queue.html", context)


@login_required
@require_POST
@permission_required("callbacks.add_callattempt", raise_exception=True)
def next_call(request):
    # The queue filtered by a reminder or win-back kind: the next task of that kind.
    kind = choice_param(request.POST.get("kind"), dict(queue_sources.extra_kind_choices()), name="kind")
    try:
        task = None if kind else services.callback_task_claim_next(user=request.user)
        url = None if task else queue_sources.extra_claim_next(user=request.user, kind=kind)
    except services.ClaimBusy as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("callbacks:queue")
    if task is None and url is None:
        messages.info(request, _("当前没有可回访的任务。"))
        return redirect("callbacks:queue")
    return redirect(url) if url else redirect("callbacks:call", pk=task.pk)


@login_required
@permission_required("callbacks.view_callbacktask", raise_exception=True)
def call(request, pk: int):
    task = selectors.callback_task_for_call(user=request.user, pk=pk)
    if request.method == "POST" and not request.user.has_perm("callbacks.add_callattempt"):
        raise PermissionDenied
    if task.state != TaskState.OPEN:
        # A finished task opens read-only with its answers; a form posted from a stale tab is refused.
        if request.method == "POST":
            messages.error(request, _("该回访任务已结束，不能再记录。"))
            return redirect("callbacks:call", pk=task.pk)
        return render(request, "callbacks/call.html", _closed_call_context(request, task))
    version = selectors.call_questionnaire(task=task, version_id=id_param(request.POST.get("version"), name="version"))
    form = AttemptForm(request.POST or None, initial={"version": version.pk if version else None})
    question_errors: dict[str, list[str]] = {}
    holder = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        success = disposition_rule(data["disposition"]).bucket == Bucket.SUCCESS
        try:
            services.callback_attempt_record(
                task=task,
                user=request.user,
                disposition=data["disposition"],
                note=data["note"],
                answers=questionnaire_answers(request.POST, version) if success and version else None,
                version=version,
                appointment_at=data["appointment_at"],
                grumble=data["grumble"],
                mood=data["mood"],
            )
        except services.TaskHeldByOther as exc:
            form.add_error(None, exc.messages)
            holder = services.callback_task_holder(task=task, user=request.user)
        except ValidationError as exc:
            question_errors = _attach_errors(form, exc, version)
        else:
            if HotAlert.objects.filter(task=task).exists():
                # Stay with the customer: the read-only page shows the alert and offers the complaint.
                messages.warning(request, _("已记录：%(d)s。已触发回访预警，可登记投诉。") % {"d": data["disposition"]})
                return redirect("callbacks:call", pk=task.pk)
            messages.success(request, _("已记录：%(d)s") % {"d": data["disposition"]})
            return redirect("callbacks:queue")
    elif task.state == TaskState.OPEN and not _touch(task, request.user):
        holder = services.callback_task_holder(task=task, user=request.user)
    context = _call_context(request, task, form, version, question_errors)
    return render(request, "callbacks/call.html", {**context, "holder": holder})


def _touch(task: CallbackTask, user) -> bool:
    """Take or keep the claim on opening the page; a lost retry counts as held (the page stays editable
    and recording checks the claim again)."""
    try:
        return services.callback_task_touch(task=task, user=user)
    except services.ClaimBusy:
        return True


def _attach_errors(form, exc: ValidationError, version) -> dict[str, list[str]]:
    """Answer errors go beside their question (keyed by code); the rest on the form."""
    codes = {q.code for q in version.questions.all()} if version else set()
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return {}
    by_question = {k: v for k, v in exc.message_dict.items() if k in codes}
    for key, msgs in exc.message_dict.items():
        if key in codes:
            continue
        form.add_error(key if key in form.fields else None, msgs)
    if by_question:
        form.add_error(None, _("问卷有 %(n)s 处需要修改。") % {"n": len(by_question)})
    return by_question


def _call_context(request, task, form, version, question_errors) -> dict:
    return {
        "task": task,
        "form": form,
        "version": version,
        "questions": questionnaire_rows(version, request.POST or None, question_errors) if version else [],
        "history": selectors.callback_history_with_answers(customer_id=task.customer_id, exclude_task_id=task.pk),
        "complaints": selectors.customer_complaints(user=request.user, customer_id=task.customer_id),
        "scripts": selectors.call_page_scripts(task=task, agent=request.user),
        "rules": [(str(d), r) for d, r in DISPOSITION_RULES.items()],
        "heartbeat_seconds": 60,
        **_call_common(request, task, answers=[]),
    }


def _closed_call_context(request, task) -> dict:
    """A finished task: its answers and attempts, read-only (no questionnaire, no claim)."""
    answers = selectors.callback_task_answers(task=task)
    return {
        "task": task,
        "closed": True,
        "answers": answers,
        "history": selectors.callback_history_with_answers(customer_id=task.customer_id, exclude_task_id=task.pk),
        "complaints": selectors.customer_complaints(user=request.user, customer_id=task.customer_id),
        **_call_common(request, task, answers=answers),
    }


def _call_common(request, task, *, answers) -> dict:
    """What both call pages show: this task's attempts, its hot alert, the complaint action."""
    alert = selectors.callback_task_hot_alert(task=task)
    return {
        "attempts": selectors.callback_task_attempts(task=task),
        "hot_alert": alert,
        "complaint_query": urlencode(selectors.complaint_prefill(task=task, alert=alert, answers=answers)),
        # A role without crm.view_full_phone (the general manager) reads the page, never dials.
        "full_numbers": can_see_full_numbers(request.user),
    }


@login_required
@require_POST
@permission_required("callbacks.add_callattempt", raise_exception=True)
def call_touch(request, pk: int):
    """The call page's heartbeat (htmx poll while the agent is active): keeps the claim alive past
    the idle timeout. 204 when held; otherwise a warning fragment for the page."""
    task = get_scoped_or_404(CallbackTask.objects.all(), request.user, pk=pk)
    if _touch(task, request.user):
        return HttpResponse(status=204)
    return render(request, "callbacks/_claim_lost.html", {"task": task})


@login_required
@permission_required("callbacks.view_datafixrecord", raise_exception=True)
def data_fix_list(request):
    records = selectors.data_fix_queue(user=request.user)[:200]
    context = {"records": records, "full_numbers": can_see_full_numbers(request.user)}
    return render(request, "callbacks/data_fix_list.html", context)


@login_required
@permission_required("callbacks.change_datafixrecord", raise_exception=True)
def data_fix_edit(request, pk: int):
    record = get_scoped_or_404(
        DataFixRecord.objects.select_related("customer", "task"), request.user, store_field="task__store", pk=pk
    )
    form = DataFixForm(request.POST or None, initial={"corrected_name": record.customer.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.data_fix_record(record=record, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("资料已修正。"))
            return redirect("callbacks:data_fix_list")
    context = {"record": record, "form": form, "full_numbers": can_see_full_numbers(request.user)}
    return render(request, "callbacks/data_fix_edit.html", context)


@login_required
@permission_required("callbacks.view_hotalert", raise_exception=True)
def hot_alert_list(request):
    alerts = list(selectors.hot_alerts(user=request.user)[:200])
    for alert in alerts:
        alert.complaint_query = urlencode(selectors.complaint_prefill(task=alert.task, alert=alert))
    try:
        base = reverse("complaints:case_create")
    except NoReverseMatch:
        base = None
    return render(
        request,
        "callbacks/hot_alert_list.html",
        {
            "alerts": alerts,
            "complaint_url": base,
            "form": HotAlertCloseForm(),
            "full_numbers": can_see_full_numbers(request.user),
        },
    )


@login_required
@require_POST
@permission_required("callbacks.change_hotalert", raise_exception=True)
def hot_alert_close(request, pk: int):
    alert = get_scoped_or_404(HotAlert.objects.all(), request.user, store_field="task__store", pk=pk)
    form = HotAlertCloseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["note"])
        hot_alerts.hot_alert_close(alert=alert, user=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("预警已关闭。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("callbacks:hot_alert_list")


@login_required
@require_POST
@permission_required("callbacks.change_hotalert", raise_exception=True)
def hot_alerts_close(request):
    """Close the ticked alerts with one note (scoped in the service)."""
    ids = id_list_param(request.POST.getlist("alert"), name="alert")
    form = HotAlertCloseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["note"])
        closed = hot_alerts.hot_alerts_close(alert_ids=ids, user=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已关闭 %(n)s 条预警。") % {"n": closed})
    return redirect("callbacks:hot_alert_list")


@login_required
@permission_required("callbacks.view_callbacktask", raise_exception=True)
def daily_report(request):
    day = date_param(request.GET.get("day"), name="day") or timezone.localdate()
    rows = selectors.agent_daily_report(user=request.user, date_from=day, date_to=day)
    figure_labels, rows = selectors.agent_daily_columns(rows)
    context = {"rows": rows, "day": day, "figure_labels": figure_labels}
    return render(request, "callbacks/daily_report.html", context)


@login_required
@permission_required("callbacks.change_callbacktask", raise_exception=True)
def manager_queue(request):
    """Every agent's open tasks; assign, reassign or release to anyone in bulk."""
    if request.method == "POST":
        ids = id_list_param(request.POST.getlist("task"), name="task")
        assignee_id = id_param(request.POST.get("assignee"), name="assignee")
        assignee = selectors.callback_agents(user=request.user).filter(pk=assignee_id).first() if assignee_id else None
        count = services.callback_tasks_assign(task_ids=ids, assignee=assignee, by=request.user)
        messages.success(request, _("已更新 %(n)s 个任务。") % {"n": count})
        return redirect("callbacks:manager_queue")
    tasks = selectors.callback_tasks_for_manager(user=request.user)[:300]
    agents = selectors.callback_agents(user=request.user)
    return render(request, "callbacks/manager_queue.html", {"tasks": tasks, "agents": agents})
