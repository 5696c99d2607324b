"""Survey reads: the questionnaire a callback asks, the scripts of the call page, past answers."""

from collections.abc import Iterable

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from crm.scoping import user_store_ids
from surveys.choices import ScriptKind
from surveys.models import Answer, CallScript, Question, Response, Template, TemplateVersion


def template_current_version(*, kind: str) -> TemplateVersion | None:
    """The newest version of the active template of `kind`, its questions prefetched (2 queries)."""
    return (
        TemplateVersion.objects.filter(template__kind=kind, template__is_active=True)
        .select_related("template")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
        .order_by("-number")
        .first()
    )


def template_latest_version(*, template: Template) -> TemplateVersion:
    return (
        template.versions.prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
        .order_by("-number")
        .first()
    )


def _responses_in_stores(user, path: str) -> Q | None:
    """Responses of the user's stores only (templates are group-wide, their answers are not)."""
    store_ids = user_store_ids(user)
    return None if store_ids is None else Q(**{f"{path}store_id__in": store_ids})


def templates_with_versions(*, user) -> QuerySet[Template]:
    """Every template with its latest version number and the user's stores' response count."""

    responses = Count("versions__responses", filter=_responses_in_stores(user, "versions__responses__"), distinct=True)
    return Template.objects.annotate(latest_number=Max("versions__number"), response_count=responses).order_by(
        "kind", "-is_active", "code"
    )


def template_versions(*, template: Template, user) -> list[TemplateVersion]:
    """A template's versions, newest first, each with the user's stores' response count."""

    responses = Count("responses", filter=_responses_in_stores(user, "responses__"))
    return list(template.versions.annotate(response_count=responses).order_by("-number"))


def call_scripts(*, kind: str | None = None) -> QuerySet[CallScript]:
    """Active scripts for a callback kind (and the ones for every kind), in their order."""
    qs = CallScript.objects.filter(is_active=True)
    if kind is not None:
        qs = qs.filter(kind__in=[ScriptKind.ALL, kind])
    return qs.order_by("order", "id")


def answers_by_response(response_ids: Iterable[int]) -> dict[int, list[Answer]]:
    """The answers of several responses, one query, in question order."""
    out: dict[int, list[Answer]] = {}
    ids = [i for i in response_ids if i]
    if not ids:
        return out
    for answer in (
        Answer.objects.filter(response_id__in=ids)
        .select_related("question")
        .order_by("response_id", "question__order", "question_id")
    ):
        out.setdefault(answer.response_id, []).append(answer)
    return out


def response_with_answers(*, pk: int) -> Response:
    return (
        Response.objects.select_related("version__template", "agent").prefetch_related("answers__question").get(pk=pk)
    )


def overall_question_code(*, kind: str) -> str | None:
    """The code of the overall question callbacks of `kind` ask now (Q0 sales, Q1 service as
    built in). Callers may also pass the key "overall" to `response_record`."""
    return (
        Question.objects.filter(version__template__kind=kind, version__template__is_active=True, is_overall=True)
        .order_by("-version__number")
        .values_list("code", flat=True)
        .first()
    )
