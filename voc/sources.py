"""Where verbatims come from: one `VerbatimSource` per kind of record, each reading its rows with one
`values()` query (keyset by id) and turning a row into a `Verbatim` — the text and what it is
counted under (store, time, department, staff, customer).

Department: a callback's by its kind (销售回访 → 销售部, 售后回访 → 服务部); a complaint's by its
responsible department, else by its category (销售 → 销售部, 配件 → 配件部, else 服务部); outreach
(reminders and win-back calls are after-sales) → 服务部. Staff: the callback's sales consultant or
service advisor; none for complaints (their 相关责任人 is issue 14 item 3) and outreach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from callbacks.choices import CallbackKind
from callbacks.hot_alerts import reason_is_negative_answer
from callbacks.models import CallAttempt, HotAlert
from complaints.choices import Category
from complaints.models import Case
from crm.choices import DepartmentKind
from retention.models import OutreachAttempt
from surveys.choices import QuestionType
from surveys.models import Answer
from voc.choices import NEGATIVE_BY_NATURE, VocSource
from voc.models import VocEntry


@dataclass(frozen=True)
class Verbatim:
    source: str
    source_id: int
    store_id: int
    said_at: dt.datetime
    department: str
    staff_id: int | None
    customer_id: int | None
    text: str

    @property
    def negative_by_nature(self) -> bool:
        return self.source in NEGATIVE_BY_NATURE

    @property
    def suggestion(self) -> bool:
        return self.source == VocSource.SURVEY_ANSWER

    @property
    def weak_answer(self) -> bool:
        """A hot alert's text is its negative answers' lines — the questions' wording, not the
        customer's: read as negative mentions of the topics the questions name (voc.tagging)."""
        return self.source == VocSource.HOT_ALERT


def _callback_department(kind: str | None) -> str:
    return DepartmentKind.SALES if kind == CallbackKind.SALES else DepartmentKind.SERVICE


def _callback_staff(row: dict, prefix: str) -> int | None:
    return row[f"{prefix}delivery__sales_consultant_id"] or row[f"{prefix}repair_order__service_advisor_id"]


@dataclass(frozen=True)
class VerbatimSource:
    source: str
    queryset: Callable[[], QuerySet]
    store_field: str
    time_field: str
    fields: tuple[str, ...]
    build: Callable[[dict], tuple[str, str, int | None, int | None]]  # text, department, staff, customer
    # A source whose rows are edited after they are recorded: the field that says when (else None).
    updated_field: str | None = None

    def rows(self, *, after_id: int = 0, limit: int) -> list[dict]:
        """The next `limit` rows past `after_id` (the incremental run's keyset batch)."""
        qs = self.queryset().filter(id__gt=after_id).order_by("id")
        return list(qs.values("id", self.store_field, self.time_field, *self.fields)[:limit])

    def untagged_rows(self, *, after_id: int, up_to: int, limit: int) -> list[dict]:
        """The next `limit` rows in (`after_id`, `up_to`] that have no entry yet: rows that committed
        after a run had read past their id (the look-back of the incremental run)."""
        tagged = VocEntry.objects.filter(source=self.source, source_id=OuterRef("id"))
        qs = self.queryset().filter(id__gt=after_id, id__lte=up_to).exclude(Exists(tagged)).order_by("id")
        return list(qs.values("id", self.store_field, self.time_field, *self.fields)[:limit])

    def window_ids(self, *, start: dt.datetime, end: dt.datetime, store_ids: list[int] | None = None) -> list[int]:
        """The ids of the rows said in [start, end) (of `store_ids`): one scan, then `rows_by_id`."""
        qs = self.queryset().filter(**{f"{self.time_field}__gte": start, f"{self.time_field}__lt": end})
        if store_ids is not None:
            qs = qs.filter(**{f"{self.store_field}__in": store_ids})
        return sorted(qs.values_list("id", flat=True))

    def changed_ids(self, *, since: dt.datetime) -> list[int]:
        """The ids of the rows edited since `since` (a source with an `updated_field`; else none)."""
        if self.updated_field is None:
            return []
        return sorted(self.queryset().filter(**{f"{self.updated_field}__gte": since}).values_list("id", flat=True))

    def rows_by_id(self, ids: list[int]) -> list[dict]:
        qs = self.queryset().filter(id__in=ids).order_by("id")
        return list(qs.values("id", self.store_field, self.time_field, *self.fields))

    def verbatims(self, rows: list[dict]) -> Iterator[Verbatim]:
        for row in rows:
            text, department, staff_id, customer_id = self.build(row)
            text = text.strip()
            if text:
                yield Verbatim(
                    source=self.source,
                    source_id=row["id"],
                    store_id=row[self.store_field],
                    said_at=row[self.time_field],
                    department=department,
                    staff_id=staff_id,
                    customer_id=customer_id,
                    text=text,
                )


_CALLBACK_STAFF = ("delivery__sales_consultant_id", "repair_order__service_advisor_id")


def _survey(row: dict) -> tuple:
    kind = row["response__callback_task__kind"] or row["response__version__template__kind"]
    return (
        row["text"],
        _callback_department(kind),
        _callback_staff(row, "response__callback_task__"),
        row["response__customer_id"],
    )


def _call_note(row: dict) -> tuple:
    return (
        row["note"],
        _callback_department(row["task__kind"]),
        _callback_staff(row, "task__"),
        row["task__customer_id"],
    )


def _outreach(row: dict) -> tuple:
    text = "\n".join(t for t in (row["customer_words"].strip(), row["note"].strip()) if t)
    return text, DepartmentKind.SERVICE, None, row["task__customer_id"]


def _hot_alert(row: dict) -> tuple:
    reasons = row["reasons"] if isinstance(row["reasons"], list) else []
    # Only the negative answers: the customer's text answers are tagged once, as the questionnaire's
    # own entries, and the agent's grumble mark says nothing of a topic. A negative answer's line is
    # the question's wording ("Q10 否：…是否满意?"), tagged as a weak answer (`Verbatim.weak_answer`):
    # the topics it names count as criticised, its 满意 is no praise.
    lines = [str(r) for r in reasons if reason_is_negative_answer(str(r))]
    return (
        "\n".join(lines),
        _callback_department(row["task__kind"]),
        _callback_staff(row, "task__"),
        row["task__customer_id"],
    )


_CATEGORY_DEPARTMENT = {Category.SALES: DepartmentKind.SALES, Category.PARTS: DepartmentKind.PARTS}


def _complaint(row: dict) -> tuple:
    text = row["content"].strip()
    if row["demand"].strip():
        text += f"\n要求：{row['demand'].strip()}"
    department = row["department__kind"] or _CATEGORY_DEPARTMENT.get(row["category"], DepartmentKind.SERVICE)
    return text, department, row["complained_staff_id"], row["customer_id"]


SOURCES: dict[str, VerbatimSource] = {
    s.source: s
    for s in (
        VerbatimSource(
            VocSource.SURVEY_ANSWER,
            lambda: Answer.objects.filter(question__type=QuestionType.TEXT).exclude(text=""),
            "response__store_id",
            "response__answered_at",
            (
                "text",
                "response__customer_id",
                "response__version__template__kind",
                "response__callback_task__kind",
                *(f"response__callback_task__{f}" for f in _CALLBACK_STAFF),
            ),
            _survey,
        ),
        VerbatimSource(
            VocSource.CALL_NOTE,
            lambda: CallAttempt.objects.exclude(note=""),
            "task__store_id",
            "at",
            ("note", "task__kind", "task__customer_id", *(f"task__{f}" for f in _CALLBACK_STAFF)),
            _call_note,
        ),
        VerbatimSource(
            VocSource.OUTREACH_NOTE,
            lambda: OutreachAttempt.objects.filter(~Q(customer_words="") | ~Q(note="")),
            "task__store_id",
            "contacted_at",
            ("customer_words", "note", "task__customer_id"),
            _outreach,
        ),
        VerbatimSource(
            VocSource.HOT_ALERT,
            lambda: HotAlert.objects.all(),
            "task__store_id",
            "raised_at",
            ("reasons", "task__kind", "task__customer_id", *(f"task__{f}" for f in _CALLBACK_STAFF)),
            _hot_alert,
        ),
        VerbatimSource(
            VocSource.COMPLAINT,
            lambda: Case.objects.all(),
            "store_id",
            "received_at",
            ("content", "demand", "category", "department__kind", "complained_staff_id", "customer_id"),
            _complaint,
            updated_field="updated_at",
        ),
    )
}
