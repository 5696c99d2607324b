"""Runs a DMS import: reads the file, parses every cell (in a reader thread), hands batches to the
sheet handlers, counts outcomes, collects bad rows, then runs each handler's once-per-import work
(customer cards) and the post-import steps (callback generation, …).

Each batch commits on its own, so an import that dies half-way keeps what it did and can simply be
run again (the handlers are idempotent: the same row twice changes nothing).
"""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.importing.parsers import text
from crm.importing.prefetch import prefetched
from crm.importing.readers import ImportFileError, SheetSource, open_sheets
from crm.importing.registry import CellError, ImportContext, Outcome, ParsedRow, RowError, post_import_steps
from crm.models import Store
from crm.scoping import user_can_see_store, user_store_ids

__all__ = ["ImportFileError", "ImportResult", "RowProblem", "import_file", "write_error_report"]


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    row: int
    column: str
    reason: str


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
        return {"name": self.name, **{k: self.counts[k] for k in ("created", "updated", "unchanged", "errors")}}


@dataclass
class ImportResult:
    sheets: list[SheetSummary]
    problems: list[RowProblem]

    @property
    def error_count(self) -> int:
        return sum(s.counts["errors"] for s in self.sheets)

    def summary(self) -> dict[str, dict[str, Any]]:
        return {s.key: s.as_dict() for s in self.sheets}


ProgressCallback = Callable[[int, int], None]


def _parse(source: SheetSource, row_number: int, raw: dict[str, Any]) -> ParsedRow | RowError:
    values: dict[str, Any] = {}
    for column in source.handler.columns:
        if column.key not in raw:
            values[column.key] = None
            continue
        cell = raw[column.key]
        try:
            value = column.parse(cell) if column.parse else text(cell)
        except CellError as exc:
            return RowError(column.zh, str(exc))
        if column.required and value in (None, ""):
            return RowError(column.zh, _("必填项为空"))
        values[column.key] = value
    return ParsedRow(row_number, values)


def _parsed_rows(source: SheetSource) -> Iterator[tuple[int, ParsedRow | RowError]]:
    for row_number, raw in source.parsed_rows():
        yield row_number, _parse(source, row_number, raw)


def _flush(handler, batch: list[ParsedRow], ctx: ImportContext, summary: SheetSummary, problems: list) -> int:
    """Import one batch in its own transaction; count its outcomes. Returns the rows processed."""
    if not batch:
        return 0
    with transaction.atomic():
        outcomes = handler.import_batch(list(batch), ctx)
    for parsed in batch:
        outcome = outcomes.get(parsed.row_number)
        if isinstance(outcome, RowError):
            summary.counts["errors"] += 1
            problems.append(RowProblem(summary.name, parsed.row_number, outcome.column, outcome.reason))
        elif outcome is not None:
            summary.counts[Outcome(outcome).value] += 1
    processed = len(batch)
    batch.clear()
    return processed


def import_file(
    path: str | Path,
    *,
    store: Store | None = None,
    user: Any = None,
    display_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import every known sheet of `path`. Raises ImportFileError (nothing changed) for an unusable file."""
    if store is not None and user is not None and not user_can_see_store(user, store.pk):
        # The upload form offers only the user's stores; this holds for every other caller too.
        raise ImportFileError(_("无权导入门店 %(v)s 的数据") % {"v": store.code})
    sources = open_sheets(path, display_name=display_name)
    ctx = ImportContext(default_store=store, user=user)
    # A store-level user may import only into their own stores (None: every store).
    ctx.cache["allowed_store_ids"] = user_store_ids(user) if user is not None else None
    total = sum(s.estimated_rows for s in sources)
    done = 0
    if progress:
        progress(0, total)
    summaries: list[SheetSummary] = []
    problems: list[RowProblem] = []

    for source in sources:
        handler = source.handler
        summary = SheetSummary(handler.key, source.name)
        ctx.cache[f"columns:{handler.key}"] = set(source.columns.values())
        summaries.append(summary)
        batch: list[ParsedRow] = []
        for row_number, parsed in prefetched(partial(_parsed_rows, source)):
            if isinstance(parsed, RowError):
                summary.counts["errors"] += 1
                problems.append(RowProblem(source.name, row_number, parsed.column, parsed.reason))
                done += 1
                continue
            batch.append(parsed)
            if len(batch) >= handler.batch_size:
                done += _flush(handler, batch, ctx, summary, problems)
                if progress:
                    progress(done, max(total, done))
        done += _flush(handler, batch, ctx, summary, problems)

    # The progress callback is also the job's heartbeat: beat it before each once-per-import step.
    for handler in dict.fromkeys(source.handler for source in sources):
        if progress:
            progress(done, max(total, done))
        with transaction.atomic():
            handler.after_import(ctx)
    for step in post_import_steps():
        if progress:
            progress(done, max(total, done))
        step(ctx)
    if progress:
        progress(done, done)
    return ImportResult(summaries, problems)


ERROR_HEADERS = ("工作表 sheet", "行号 row", "列 column", "原因 reason")


def write_error_report(problems: list[RowProblem], out) -> None:
    """The bad rows as an .xlsx (sheet, row, column, reason), write-only so memory stays flat."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误报告"))
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCD", (16, 8, 16, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(ERROR_HEADERS)
    for p in problems:
        sheet.append((p.sheet, p.row, p.column, p.reason))
    workbook.save(out)
