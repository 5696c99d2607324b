"""The DMS importer's registry of sheet handlers (SPEC §5).

crm registers the 交车 / deliveries and 工单 / repair_orders sheets; other apps register their own
sheets (callbacks: 回访结果 / callback_results; complaints: 投诉 / complaints) and post-import steps
(callback generation) from their AppConfig.ready(), so crm never imports them.

Sheets and steps share one `order`: whatever the sheet order in the workbook, the runner reads the
sheets in that order and runs a step once every sheet ordered before it is read, before the first
sheet ordered after it. So callback generation (40) makes the tasks of the deliveries (10) and ROs
(20) just imported before the results sheet (50) looks them up: one workbook imports on the first run.

A handler declares its columns; the runner reads the file, matches headers by Chinese or English
name, parses each cell with the column's parser (a parser raises `CellError`), and hands the handler
batches of parsed rows. The handler returns, per row, an `Outcome` or a `RowError`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Model

from crm.models import Store


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class CellError(ValueError):
    """A cell that cannot be parsed; the runner reports it with the row number and column."""


@dataclass
class RowError:
    column: str  # the header as the user knows it (Chinese name), or "" for the whole row
    reason: str


@dataclass(frozen=True)
class Column:
    """A column of a sheet. A bad value in a required column rejects its row; in an optional
    column the value is dropped, the row imported and a warning reported (已忽略)."""

    key: str  # English header, also the key of the parsed row dict
    zh: str  # Chinese header
    required: bool = False
    parse: Callable[[Any], Any] | None = None  # value -> parsed value; raises CellError; None = text
    # (model, field name) the value is stored in: its max_length, integer range or digits are
    # checked before the database sees the value (crm.importing.runner.check_fits).
    field: tuple[type[Model], str] | None = None


@dataclass(frozen=True)
class ParsedRow:
    row_number: int  # 1-based, as Excel shows it (the header is row 1)
    values: dict[str, Any]
    # Optional columns whose bad value was dropped (None in `values`): a handler leaves what the
    # database holds for them alone, as for a column missing from the file.
    dropped: frozenset[str] = frozenset()


@dataclass
class ImportContext:
    """What one import run shares between handlers and post-import steps."""

    default_store: Store | None
    user: Any = None
    # Per sheet key, the primary keys of the records the file named: created, updated or unchanged
    # (post-import steps such as callback generation are idempotent, and a rerun of an import that
    # died half-way must finish what the first run left undone).
    touched: dict[str, set[int]] = field(default_factory=dict)
    # What handlers keep for the whole run (the file's columns, the customers whose cards follow).
    cache: dict[str, Any] = field(default_factory=dict)
    # Rows read or created in the database and memoised (stores, staff by name, teams): dropped
    # when a batch rolls back, since they may name rows that no longer exist.
    memo: dict[str, Any] = field(default_factory=dict)

    def touch(self, sheet_key: str, pk: int) -> None:
        self.touched.setdefault(sheet_key, set()).add(pk)


class SheetHandler:
    """Base class of a sheet handler. Subclasses set the class attributes and `import_batch`."""

    key: str = ""  # English sheet name, also the CSV file-name prefix
    zh_name: str = ""  # Chinese sheet name
    columns: tuple[Column, ...] = ()
    # Sheets run in this order within a workbook (deliveries/ROs, callback generation, results);
    # post-import steps take their place in the same order (see register_post_import).
    order: int = 100
    batch_size: int = 1000

    def import_batch(self, rows: list[ParsedRow], ctx: ImportContext) -> dict[int, Outcome | RowError]:
        """Import a batch; return an outcome or error for every row number in `rows`."""
        raise NotImplementedError

    def after_import(self, ctx: ImportContext) -> None:
        """Once after the sheet's last batch (its own transaction): work done once per import
        rather than per batch. Must be safe to run again when an import is rerun."""

    def header_map(self) -> dict[str, str]:
        """Every accepted header (Chinese or English, case-insensitive for English) -> column key."""
        mapping: dict[str, str] = {}
        for column in self.columns:
            mapping[column.zh] = column.key
            mapping[column.key.lower()] = column.key
        return mapping


_handlers: dict[str, SheetHandler] = {}
# Post-import step -> its order (steps after every sheet by default).
_post_import_steps: dict[Callable[[ImportContext], None], int] = {}
LAST = 1_000_000


def register_sheet(handler: SheetHandler) -> SheetHandler:
    _handlers[handler.key] = handler
    return handler


def register_post_import(
    step: Callable[[ImportContext], None], *, order: int = LAST
) -> Callable[[ImportContext], None]:
    """Run `step` once per import, after the sheets ordered before `order` (and their
    `after_import`), before the sheets ordered after it. Steps must be idempotent and work from
    `ctx.touched`: a rerun of an import that died half-way finishes what the first run left."""
    _post_import_steps[step] = order
    return step


def sheet_handlers() -> list[SheetHandler]:
    return sorted(_handlers.values(), key=lambda h: h.order)


def handler_for_key(key: str) -> SheetHandler | None:
    """The handler registered under its English sheet name (the API's push endpoints)."""
    return _handlers.get(key)


def handler_for_sheet_name(name: str) -> SheetHandler | None:
    cleaned = name.strip()
    for handler in _handlers.values():
        if cleaned == handler.zh_name or cleaned.lower() == handler.key:
            return handler
    return None


def handler_for_csv_name(file_name: str) -> SheetHandler | None:
    lowered = file_name.lower()
    # Longest key first, so that a future "repair_orders_extra" cannot shadow "repair_orders".
    for handler in sorted(_handlers.values(), key=lambda h: -len(h.key)):
        if lowered.startswith(handler.key):
            return handler
    return None


def post_import_steps() -> Iterable[Callable[[ImportContext], None]]:
    """The steps in the order they run."""
    return [step for _order, step in post_import_schedule()]


def post_import_schedule() -> list[tuple[int, Callable[[ImportContext], None]]]:
    """(order, step) of every post-import step, in the order they run."""
    return sorted(((order, step) for step, order in _post_import_steps.items()), key=lambda pair: pair[0])
