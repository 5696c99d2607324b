"""Runs a DMS import: reads the file, parses every cell (in a reader thread), hands batches to the
sheet handlers, counts outcomes, collects bad rows, and runs each handler's once-per-import work
(customer cards) and the post-import steps (callback generation, …) in their place in the sheets'
order: callback generation after the deliveries and ROs, before the 回访结果 sheet that needs
their tasks, whatever the order of the sheets in the workbook.

Each batch commits on its own, so an import that dies half-way keeps what it did and can simply be
run again (the handlers are idempotent: the same row twice changes nothing).

No value reaches the database unchecked: every cell is held to `DMS_IMPORT_MAX_CELL_CHARS` and to
its column's model field (max_length, integer range, digits). A bad value in a required column
rejects its row; in an optional column it is dropped and reported as a warning (已忽略), the row
imported. Should the database still refuse a batch, it is run again row by row, so the good rows
land and the one it refuses is reported.
"""

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.importing.parsers import text
from crm.importing.prefetch import prefetched
from crm.importing.readers import ImportFileError, SheetSource, open_sheets
from crm.importing.registry import (
    LAST,
    CellError,
    Column,
    ImportContext,
    Outcome,
    ParsedRow,
    RowError,
    SheetHandler,
    post_import_schedule,
)
from crm.models import Store
from crm.scoping import user_can_see_store, user_store_ids

__all__ = ["ImportFileError", "ImportResult", "RowProblem", "import_file", "import_sources", "write_error_report"]


@dataclass(frozen=True)
class RowProblem:
    """A row not imported (an error) or, with `ignored`, a value dropped from a row that was (a
    warning)."""

    sheet: str
    row: int
    column: str
    reason: str
    ignored: bool = False

    @property
    def action(self) -> str:
        return _("已忽略") if self.ignored else _("未导入")


# Problems listed per import (the counts include every one): a file of a million bad rows must not
# hold a million reasons in memory. A reason quotes at most REASON_CHARS of the value it names.
MAX_PROBLEMS_KEPT = 100_000
REASON_CHARS = 200


def _brief(reason: str) -> str:
    return reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 1] + "…"


class ProblemLog(list):
    """The first MAX_PROBLEMS_KEPT problems of an import; `untold` counts the others."""

    untold = 0

    def append(self, problem: RowProblem) -> None:
        if len(self) < MAX_PROBLEMS_KEPT:
            super().append(problem)
        else:
            self.untold += 1

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)


@dataclass
class SheetSummary:
    key: str
    name: str
    counts: Counter = field(default_factory=Counter)

    def line(self) -> str:
        c = self.counts
        return (
            f"{self.key}: created {c['created']}, updated {c['updated']}, "
            f"unchanged {c['unchanged']}, errors {c['errors']}"
        )

    def as_dict(self) -> dict[str, Any]:
        counts = ("created", "updated", "unchanged", "errors", "warnings")
        return {"name": self.name, **{k: self.counts[k] for k in counts}}


@dataclass
class ImportResult:
    sheets: list[SheetSummary]
    problems: list[RowProblem]  # errors and warnings, in file order per sheet (the first 100,000)
    # With `per_row=True` (the API's batches): (sheet key, row number) -> "created" / "updated" /
    # "unchanged" / "errors"; a file import keeps only the counts.
    row_outcomes: dict[tuple[str, int], str] | None = None

    @property
    def error_count(self) -> int:
        return sum(s.counts["errors"] for s in self.sheets)

    @property
    def untold(self) -> int:
        """Problems counted but not listed (past MAX_PROBLEMS_KEPT)."""
        return getattr(self.problems, "untold", 0)

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if not p.ignored]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.ignored]

    def summary(self) -> dict[str, dict[str, Any]]:
        return {s.key: s.as_dict() for s in self.sheets}


ProgressCallback = Callable[[int, int], None]


@functools.cache
def _field_limits(field_ref: tuple) -> tuple[int | None, int | None, int | None, Decimal | None]:
    """(max_length, lowest, highest integer, decimal bound) of a column's model field. The ranges
    are Django's own per field type (PostgreSQL's), read without a connection: this runs in the
    reader thread."""
    model, name = field_ref
    field = model._meta.get_field(name)
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (None, None))
    digits = getattr(field, "max_digits", None)
    bound = Decimal(10) ** (digits - field.decimal_places) if digits else None
    return field.max_length, low, high, bound


def check_fits(column: Column, value: Any) -> None:
    """Raise CellError when `value` cannot be stored in the column's model field."""
    if column.field is None or value is None or isinstance(value, bool):
        return
    max_length, low, high, bound = _field_limits(column.field)
    if isinstance(value, str):
        if max_length and len(value) > max_length:
            raise CellError(_("超过 %(max)s 个字符（%(n)s 个）") % {"max": max_length, "n": len(value)})
    elif isinstance(value, int):
        if (low is not None and value < low) or (high is not None and value > high):
            raise CellError(_("超出范围（%(low)s 至 %(high)s）：%(v)s") % {"low": low, "high": high, "v": value})
    elif isinstance(value, Decimal) and bound is not None and abs(value) >= bound:
        raise CellError(_("超出范围（小于 %(bound)s）：%(v)s") % {"bound": bound, "v": value})


def _parse(source: SheetSource, row_number: int, raw: dict[str, Any]) -> tuple[ParsedRow | RowError, list[RowProblem]]:
    """The row parsed, or why it is rejected; and the warnings of the optional values dropped."""
    cap = settings.DMS_IMPORT_MAX_CELL_CHARS
    values: dict[str, Any] = {}
    dropped: list[str] = []
    warnings: list[RowProblem] = []
    for column in source.handler.columns:
        if column.key not in raw:
            values[column.key] = None
            continue
        cell = raw[column.key]
        try:
            if type(cell) is str and len(cell) > cap:
                # Before any parser: a megabyte of text is a bad value, whatever the column.
                raise CellError(_("内容过长（%(n)s 个字符，上限 %(max)s）") % {"n": len(cell), "max": cap})
            value = column.parse(cell) if column.parse else text(cell)
            if column.field is not None:
                check_fits(column, value)
        except CellError as exc:
            if column.required:
                return RowError(column.zh, _brief(str(exc))), []
            # SPEC §5 rejects a row for its required columns and its rules; an optional value that
            # cannot be used (an id number a spreadsheet turned into a float) must not cost the
            # customer their callback.
            warnings.append(RowProblem(source.name, row_number, column.zh, _brief(str(exc)), ignored=True))
            values[column.key] = None
            dropped.append(column.key)
            continue
        if column.required and value in (None, ""):
            return RowError(column.zh, _("必填项为空")), []
        values[column.key] = value
    return ParsedRow(row_number, values, frozenset(dropped)), warnings


def _parsed_rows(source: SheetSource) -> Iterator[tuple[int, ParsedRow | RowError, list[RowProblem]]]:
    for row_number, raw in source.parsed_rows():
        yield row_number, *_parse(source, row_number, raw)


def _database_refusal(exc: Exception) -> RowError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return RowError("", _("数据库拒绝了此行：%(err)s") % {"err": reason[:200]})


def _import_batch(handler, batch: list[ParsedRow], ctx: ImportContext) -> dict[int, Outcome | RowError]:
    """The batch in one transaction; if the database refuses it, row by row, so that one bad row
    costs only itself (the checks before should have caught it: this is the safety net)."""
    try:
        with transaction.atomic():
            return handler.import_batch(list(batch), ctx)
    except (DataError, IntegrityError):
        ctx.memo.clear()  # it may name staff, teams, … the rollback removed
    outcomes: dict[int, Outcome | RowError] = {}
    for parsed in batch:
        try:
            with transaction.atomic():
                outcomes |= handler.import_batch([parsed], ctx)
        except (DataError, IntegrityError) as exc:
            ctx.memo.clear()
            outcomes[parsed.row_number] = _database_refusal(exc)
    return outcomes


def _flush(
    handler,
    batch: list[ParsedRow],
    ctx: ImportContext,
    summary: SheetSummary,
    problems: list,
    row_outcomes: dict | None = None,
) -> int:
    """Import one batch in its own transaction; count its outcomes. Returns the rows processed."""
    if not batch:
        return 0
    outcomes = _import_batch(handler, batch, ctx)
    for parsed in batch:
        outcome = outcomes.get(parsed.row_number)
        if isinstance(outcome, RowError):
            summary.counts["errors"] += 1
            problems.append(RowProblem(summary.name, parsed.row_number, outcome.column, _brief(outcome.reason)))
            kind = "errors"
        elif outcome is not None:
            kind = Outcome(outcome).value
            summary.counts[kind] += 1
        else:
            continue
        if row_outcomes is not None:
            row_outcomes[(handler.key, parsed.row_number)] = kind
    processed = len(batch)
    batch.clear()
    return processed


def _after_import(pending: list[SheetHandler], beat: Callable[[], None], ctx: ImportContext) -> None:
    """The once-per-import work of the sheets read and not yet finished, each in its own
    transaction; they leave the list, so each runs once per import."""
    while pending:
        handler = pending.pop(0)
        beat()
        with transaction.atomic():
            handler.after_import(ctx)


def import_file(
    path: str | Path,
    *,
    store: Store | None = None,
    user: Any = None,
    display_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import every known sheet of `path`. Raises ImportFileError (nothing changed) for an unusable file."""
    _check_store(store, user)
    sources = open_sheets(path, display_name=display_name)
    return import_sources(sources, store=store, user=user, progress=progress)


def _check_store(store: Store | None, user: Any) -> None:
    if store is not None and user is not None and not user_can_see_store(user, store.pk):
        # The upload form offers only the user's stores; this holds for every other caller too.
        raise ImportFileError(_("无权导入门店 %(v)s 的数据") % {"v": store.code})


def import_sources(
    sources: list[SheetSource],
    *,
    store: Store | None = None,
    user: Any = None,
    progress: ProgressCallback | None = None,
    per_row: bool = False,
) -> ImportResult:
    """Import sheets already opened: a file's (`open_sheets`) or rows handed over as records (the
    API's JSON batches, `crm.importing.records`), through the same parsing, handlers and
    post-import steps. `user` may be an integration's API client: crm.scoping gives its stores.
    `per_row`: also say what happened to each row (ImportResult.row_outcomes)."""
    _check_store(store, user)
    sources = sorted(sources, key=lambda s: s.handler.order)
    ctx = ImportContext(default_store=store, user=user)
    # A store-level user may import only into their own stores (None: every store).
    ctx.cache["allowed_store_ids"] = user_store_ids(user) if user is not None else None
    total = sum(s.estimated_rows for s in sources)
    done = 0
    if progress:
        progress(0, total)
    summaries: list[SheetSummary] = []
    problems = ProblemLog()
    row_outcomes: dict[tuple[str, int], str] | None = {} if per_row else None

    def beat() -> None:
        # The progress callback is also the job's heartbeat: beat it before each once-per-import step.
        if progress:
            progress(done, max(total, done))

    # Sheets read whose after_import has not run yet, and the steps not run yet, in order: sheets
    # and steps share one order (SPEC §5: a workbook of deliveries, ROs and their results imports
    # on the first run, so callback generation runs between the ROs and the results sheet).
    pending: list[SheetHandler] = []
    steps = post_import_schedule()

    def finish_before(order: int) -> None:
        """Run the steps ordered before `order`, each after the once-per-import work of the
        sheets read so far (a step may read the customer cards they refresh)."""
        while steps and steps[0][0] < order:
            _after_import(pending, beat, ctx)
            beat()
            steps.pop(0)[1](ctx)

    for source in sources:
        handler = source.handler
        finish_before(handler.order)
        if handler not in pending:
            pending.append(handler)
        summary = SheetSummary(handler.key, source.name)
        ctx.cache[f"columns:{handler.key}"] = set(source.columns.values())
        summaries.append(summary)
        batch: list[ParsedRow] = []
        for row_number, parsed, warnings in prefetched(partial(_parsed_rows, source)):
            if isinstance(parsed, RowError):
                summary.counts["errors"] += 1
                problems.append(RowProblem(source.name, row_number, parsed.column, parsed.reason))
                if row_outcomes is not None:
                    row_outcomes[(handler.key, row_number)] = "errors"
                done += 1
                continue
            if warnings:
                summary.counts["warnings"] += len(warnings)
                problems.extend(warnings)
            batch.append(parsed)
            if len(batch) >= handler.batch_size:
                done += _flush(handler, batch, ctx, summary, problems, row_outcomes)
                if progress:
                    progress(done, max(total, done))
        done += _flush(handler, batch, ctx, summary, problems, row_outcomes)

    _after_import(pending, beat, ctx)
    finish_before(LAST + 1)
    if progress:
        progress(done, done)
    return ImportResult(summaries, problems, row_outcomes)


ERROR_HEADERS = ("工作表 sheet", "行号 row", "列 column", "原因 reason", "处理 action")


def write_error_report(problems: list[RowProblem], out) -> None:
    """The bad rows and dropped values as an .xlsx (sheet, row, column, reason, 未导入 for a row
    not imported / 已忽略 for a value dropped from an imported row), write-only so memory stays flat."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误报告"))
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (16, 8, 16, 60, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(ERROR_HEADERS)
    for p in problems:
        sheet.append((p.sheet, p.row, p.column, p.reason, p.action))
    untold = getattr(problems, "untold", 0)
    if untold:
        sheet.append(("…", None, None, _("另有 %(n)s 条未列出") % {"n": untold}, None))
    workbook.save(out)
