"""Complaint pages: intake, the coloured lists, the case page and its actions. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaints import attachments, selectors
from complaints.actions import ACTIONS, action_forms
from complaints.forms import AttachmentForm, CaseCreateForm, CaseFilterForm
from complaints.intake import intake_initial, intake_submit
from complaints.printing import case_print_form
from complaints.services import CaseError
from crm.masking import can_see_full_numbers
from crm.scoping import stores_for_user

LIST_TITLES = {
    "all": gettext_lazy("全部投诉"),
    "mine": gettext_lazy("我的投诉"),
    "department": gettext_lazy("部门待办"),
    "escalations": gettext_lazy("升级投诉"),
}


@login_required
@permission_required("complaints.view_case", raise_exception=True)
def case_list(request, view: str = "all"):
    form = CaseFilterForm(request.GET or None, departments=selectors.department_choices(user=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list(user=request.user, view=view, now=timezone.now(), filters=filters)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "rows": selectors.case_list_rows(cases=page),
        "view": view,
        "title": LIST_TITLES[view],
        "query_string": query.urlencode(),
    }
    return render(request, "complaints/case_list.html", context)


@login_required
@permission_required("complaints.add_case", raise_exception=True)
def case_create(request):
    initial = intake_initial(user=request.user, params=request.GET)
    form = CaseCreateForm(request.POST or None, initial=initial["form"], stores=stores_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            case = intake_submit(user=request.user, data=form.cleaned_data)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("投诉 %(no)s 已受理。") % {"no": case.case_no})
            return redirect("complaints:case_detail", pk=case.pk)
    return render(request, "complaints/case_form.html", {"form": form, **initial["context"]})


@login_required
@permission_required("complaints.view_case", raise_exception=True)
def case_detail(request, pk: int):
    now = timezone.now()
    case = selectors.case_detail(user=request.user, pk=pk, now=now)
    forms = action_forms(case=case, user=request.user)
    return render(request, "complaints/case_detail.html", _detail_context(case, now, forms, user=request.user))


@login_required
@permission_required("complaints.view_case", raise_exception=True)
def case_print(request, pk: int):
    """The case on table 6's paper form (紧急投诉应对联络表), to print or save as PDF."""
    form = case_print_form(user=request.user, pk=pk, now=timezone.now())
    context = {"form": form, "case": form.case, "full_numbers": can_see_full_numbers(request.user)}
    return render(request, "complaints/case_print.html", context)


def _detail_context(case, now, forms, *, user=None, attachment_form=None):
    files = list(attachments.case_attachments(case=case))
    if user is not None:
        for attachment in files:
            attachment.case = case  # may_delete reads the case's store: no query per row
            attachment.deletable = attachments.may_delete(attachment=attachment, user=user)
    return {
        "case": case,
        "clocks": selectors.case_clocks(case=case, now=now),
        "facts": selectors.case_facts(case=case),
        "events": selectors.case_events(case=case),
        "action_forms": forms,
        "attachments": files,
        "attachment_form": attachment_form
        or (AttachmentForm() if user is not None and attachments.may_attach(case=case, user=user) else None),
        "attachment_max_mb": attachments.attachment_max_bytes() // (1024 * 1024),
        # The customer's words and contact number: phone and id numbers masked for roles without
        # crm.view_full_phone (the GM), as on every page that shows what a customer said.
        "full_numbers": can_see_full_numbers(user) if user is not None else False,
    }


@login_required
@permission_required("complaints.view_case", raise_exception=True)
@require_POST
def case_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    now = timezone.now()
    case = selectors.case_detail(user=request.user, pk=pk, now=now)
    form = ACTIONS[action].make_form(case, request.POST)
    if form.is_valid():
        try:
            ACTIONS[action].run(case, request.user, form.cleaned_data)
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("操作已保存。"))
            return redirect("complaints:case_detail", pk=case.pk)
    else:
        messages.error(request, _("请检查填写的内容。"))
    forms = action_forms(case=case, user=request.user, bound=(action, form))
    context = _detail_context(case, now, forms, user=request.user)
    return render(request, "complaints/case_detail.html", context, status=400)


@login_required
@permission_required("complaints.view_case", raise_exception=True)
@require_POST
def attachment_upload(request, pk: int):
    now = timezone.now()
    case = selectors.case_detail(user=request.user, pk=pk, now=now)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachments.attachment_upload(
                case=case, user=request.user, upload=form.cleaned_data["file"], note=form.cleaned_data["note"]
            )
        except CaseError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("附件已上传。"))
            return redirect("complaints:case_detail", pk=case.pk)
    forms = action_forms(case=case, user=request.user)
    context = _detail_context(case, now, forms, user=request.user, attachment_form=form)
    return render(request, "complaints/case_detail.html", context, status=400)


@login_required
@permission_required("complaints.view_case", raise_exception=True)
def attachment_download(request, pk: int, attachment_id: int):
    """The file, to a user who may see the case (another store's or another consultant's: 404)."""
    attachment = selectors.case_attachment(user=request.user, case_id=pk, attachment_id=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("complaints.view_case", raise_exception=True)
@require_POST
def attachment_delete(request, pk: int, attachment_id: int):
    attachment = selectors.case_attachment(user=request.user, case_id=pk, attachment_id=attachment_id)
    try:
        attachments.attachment_delete(attachment=attachment, user=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("complaints:case_detail", pk=pk)
