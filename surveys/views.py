"""The template and script editors (CR manager, administrator; agents and others may read)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.params import text_param
from surveys import selectors, services
from surveys.forms import CallScriptForm, QuestionForm, TemplateCreateForm
from surveys.models import CallScript, Question, Template

EDIT = "surveys.change_template"


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


def _saved_message(request, template, created: bool) -> None:
    if created:
        messages.info(request, _("该问卷已有回答，已创建新版本；旧的回答保留原版本。"))
    messages.success(request, _("已保存。"))


@login_required
@permission_required("surveys.view_template", raise_exception=True)
def template_list(request):
    templates = list(selectors.templates_with_versions(user=request.user))
    scripts = list(CallScript.objects.order_by("order", "id"))
    form = TemplateCreateForm() if request.user.has_perm("surveys.add_template") else None
    return render(request, "surveys/template_list.html", {"templates": templates, "scripts": scripts, "form": form})


@login_required
@permission_required("surveys.add_template", raise_exception=True)
@require_POST
def template_create(request):
    form = TemplateCreateForm(request.POST)
    if form.is_valid():
        try:
            template = services.template_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("surveys:template_list")
        return redirect("surveys:template_detail", pk=template.pk)
    messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("surveys:template_list")


@login_required
@permission_required("surveys.view_template", raise_exception=True)
def template_detail(request, pk: int):
    template = get_object_or_404(Template, pk=pk)
    versions = selectors.template_versions(template=template, user=request.user)
    number = request.GET.get("version")
    shown = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    questions = list(shown.questions.order_by("order", "id")) if shown else []
    context = {"template": template, "versions": versions, "shown": shown, "questions": questions}
    context["latest"] = versions[0] if versions else None
    return render(request, "surveys/template_detail.html", context)


@login_required
@permission_required(EDIT, raise_exception=True)
@require_POST
def template_activate(request, pk: int):
    template = get_object_or_404(Template, pk=pk)
    services.template_activate(template=template)
    messages.success(request, _("已启用：%(n)s") % {"n": template.name})
    return redirect("surveys:template_detail", pk=pk)


@login_required
@permission_required(EDIT, raise_exception=True)
def question_edit(request, pk: int, code: str | None = None):
    """Add a question (no code) or change one; the service decides whether a new version is due."""
    template = get_object_or_404(Template, pk=pk)
    code = text_param(code, name="code") or None
    latest = selectors.template_latest_version(template=template)
    question = get_object_or_404(Question, version=latest, code=code) if code else None
    initial = QuestionForm.initial_for(question) if question else {"order": _next_order(latest)}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _q, created = services.question_save(
                template=template, user=request.user, original_code=code, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved_message(request, template, created)
            return redirect("surveys:template_detail", pk=pk)
    context = {"template": template, "version": latest, "question": question, "form": form}
    return render(request, "surveys/question_edit.html", context)


def _next_order(version) -> int:
    orders = [q.order for q in version.questions.all()] if version else []
    return max(orders, default=-1) + 1


@login_required
@permission_required(EDIT, raise_exception=True)
@require_POST
def question_delete(request, pk: int, code: str):
    template = get_object_or_404(Template, pk=pk)
    code = text_param(code, name="code")
    try:
        created = services.question_delete(template=template, user=request.user, code=code)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        _saved_message(request, template, created)
    return redirect("surveys:template_detail", pk=pk)


@login_required
@permission_required("surveys.view_callscript", raise_exception=True)
def script_list(request):
    return render(request, "surveys/script_list.html", {"scripts": CallScript.objects.order_by("order", "id")})


@login_required
@permission_required("surveys.change_callscript", raise_exception=True)
def script_edit(request, pk: int | None = None):
    script = get_object_or_404(CallScript, pk=pk) if pk else None
    form = CallScriptForm(request.POST or None, instance=script)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_script_save(script=script, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("话术已保存。"))
            return redirect("surveys:script_list")
    return render(request, "surveys/script_edit.html", {"script": script, "form": form})
