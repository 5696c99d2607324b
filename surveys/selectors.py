"""Survey reads: the questionnaire a callback asks, the scripts of the call page, past answers."""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

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


def templates_with_versions() -> QuerySet[Template]:
    """Every template with its versions and their response counts (the editor's list)."""
    from django.db.models import Count, Max

    return Template.objects.annotate(
        latest_number=Max("versions__number"), response_count=Count("versions__responses", distinct=True)
    ).order_by("kind", "-is_active", "code")


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
