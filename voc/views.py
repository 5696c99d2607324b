"""Pages of the voice of the customer. Thin: parse, call voc.selectors / services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.choices import DepartmentKind
from crm.params import choice_param, id_param, month_param, text_param
from crm.scoping import get_scoped_or_404, stores_for_user, user_can_see_store
from crm.tasking import enqueue_on_commit
from voc import presentation, selectors, services, tasks
from voc.choices import Polarity
from voc.forms import FeedbackForm, VocTopicForm
from voc.models import VocEntry, VocMention, VocTopic

PER_PAGE = 30


def _store_param(request):
    store_id = id_param(request.GET.get("store"), name="store")
    if store_id is not None and not user_can_see_store(request.user, store_id):
        store_id = None  # another store's id shows the user's own stores, never the other's
    return store_id


def _month(request):
    return month_param(request.GET.get("month")) or timezone.localdate().replace(day=1)


@login_required
@permission_required("voc.view_vocentry", raise_exception=True)
def voc_page(request):
    month, store_id = _month(request), _store_param(request)
    figures = selectors.voc_month(user=request.user, month=month, store_id=store_id)
    return render(
        request,
        "voc/page.html",
        {
            "month": month,
            "store_id": store_id,
            "stores": list(stores_for_user(request.user)),
            "figures": figures,
            "chart": {
                "labels": [f"{m:%Y-%m}" for m in figures["months"]],
                "series": [{"label": r["topic"].name, "data": r["trend"]} for r in figures["rows"]],
            },
            "base_query": urlencode({"month": f"{month:%Y-%m}", **({"store": store_id} if store_id else {})}),
        },
    )


@login_required
@permission_required("voc.view_vocentry", raise_exception=True)
def verbatim_list(request):
    month = month_param(request.GET.get("month"))
    store_id = _store_param(request)
    topic_id = id_param(request.GET.get("topic"), name="topic")
    keyword = text_param(request.GET.get("keyword"), name="keyword", max_length=30)
    department = choice_param(request.GET.get("department"), DepartmentKind.values, name="department") or ""
    staff_id = id_param(request.GET.get("staff"), name="staff")
    polarity = choice_param(request.GET.get("polarity"), [str(v) for v in Polarity.values], name="polarity")
    qs = selectors.verbatims(
        user=request.user,
        month=month,
        store_id=store_id,
        topic_id=topic_id,
        keyword=keyword,
        department=department,
        staff_id=staff_id,
        polarity=int(polarity) if polarity is not None else None,
    ).prefetch_related(Prefetch("mentions", queryset=VocMention.objects.select_related("topic")))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    filters = {
        "month": f"{month:%Y-%m}" if month else "",
        "store": store_id or "",
        "topic": topic_id or "",
        "keyword": keyword,
        "department": department,
        "staff": staff_id or "",
        "polarity": polarity or "",
    }
    return render(
        request,
        "voc/verbatims.html",
        {
            "page_obj": page,
            "rows": presentation.entry_rows(page.object_list, user=request.user),
            "month": month,
            "topic": VocTopic.objects.filter(pk=topic_id).first() if topic_id else None,
            "keyword": keyword,
            "department_label": dict(DepartmentKind.choices).get(department, ""),
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
            "back_query": urlencode({k: filters[k] for k in ("month", "store") if filters[k]}),
        },
    )


@login_required
@permission_required("voc.record_feedback_vocentry", raise_exception=True)
def feedback_list(request):
    state = choice_param(request.GET.get("state"), ["open", "done"], name="state") or "open"
    store_id = _store_param(request)
    qs = selectors.feedback_list(user=request.user, state=state, store_id=store_id).prefetch_related(
        Prefetch("mentions", queryset=VocMention.objects.select_related("topic"))
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "voc/feedback_list.html",
        {
            "page_obj": page,
            "rows": presentation.entry_rows(page.object_list, user=request.user),
            "state": state,
            "form": FeedbackForm(),
            "query_string": urlencode({"state": state}),
        },
    )


@login_required
@require_POST
@permission_required("voc.record_feedback_vocentry", raise_exception=True)
def feedback_record(request, pk: int):
    entry = get_scoped_or_404(VocEntry.objects.filter(needs_feedback=True), request.user, pk=pk)
    form = FeedbackForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写反馈内容。"))
        said = services.voc_feedback_record(
            entry=entry, user=request.user, note=form.cleaned_data["note"], adopted=form.cleaned_data["adopted"]
        )
        messages.success(request, " ".join([_("已登记反馈回访。"), *said]))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('voc:feedback_list')}?state=open")


@login_required
@permission_required("voc.change_voctopic", raise_exception=True)
def topic_list(request):
    return render(request, "voc/topic_list.html", {"topics": list(VocTopic.objects.order_by("order", "id"))})


@login_required
@permission_required("voc.change_voctopic", raise_exception=True)
def topic_edit(request, pk: int | None = None):
    if pk is None and not request.user.has_perm("voc.add_voctopic"):
        return redirect("voc:topic_list")
    topic = get_object_or_404(VocTopic, pk=pk) if pk else None
    form = VocTopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        try:
            services.voc_topic_save(topic=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The recent months are tagged again with the new keywords in the background.
            enqueue_on_commit(tasks.voc_retag_recent)
            messages.success(request, _("话题已保存，近13个月的客户原话将按新关键词重新标注。"))
            return redirect("voc:topic_list")
    return render(request, "voc/topic_form.html", {"form": form, "topic": topic})
