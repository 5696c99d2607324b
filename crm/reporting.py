"""The shared report format and its .xlsx writer (SPEC §9).

Every report — a page, an export, a frozen monthly package — is a `ReportTable`: a title, the store
and period it covers, typed columns with Chinese headers, rows and a 合计 row. `write_xlsx` writes
one or several tables (one sheet each) with openpyxl's write-only mode, so memory stays flat on
100,000 rows, and the data rows serialised by crm.xlsx_sheet (openpyxl's own cell-by-cell path
took 10 s of the 100,000-row benchmark, this one 2 s); `xlsx_response` streams the same file to the
browser.

Values by column kind:
- text: anything (numbers stay numbers, str() is applied to the rest); int: an int or None;
  number: int/float/Decimal or None;
- rate: a fraction 0..1 (written as a number with the '0.0%' format) or None — a rate whose
  denominator is zero is None and shows empty, never 0 (`rate()` below is the one rule);
- datetime / date: aware datetimes are shown in local time (Asia/Shanghai);
- figure: a `Figure` — a number that carries its own number format and page text, for a column
  whose rows hold figures of different kinds (table 15: a mean score in one row, a share in the
  next), written as a number all the same.
A string is written as text in any column (a label such as 合计 over a 序号 column). Characters that
XML cannot carry (control characters other than tab and newlines) are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, Literal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Func, Value
from django.http import FileResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from crm.xlsx_sheet import SheetWriter, cell_writer, excel_serial, row_xml, style_id

ColumnKind = Literal["text", "int", "number", "rate", "datetime", "date", "figure"]
TOTAL_LABEL = "合计"
RATE_FORMAT = "0.0%"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportColumn:
    """One column: the row key it reads, its Chinese header, its kind and its width in characters."""

    key: str
    header: str
    kind: ColumnKind = "text"
    width: int = 12


@dataclass(frozen=True)
class Figure:
    """A number with its own Excel number format and its text on the page (a "figure" column)."""

    value: float
    number_format: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class ReportTable:
    """One report table. `rows` are mappings keyed by column key (extra keys are ignored) or
    sequences in column order; they may be a generator, read once. `total_row` (a mapping) is
    written last, labelled 合计 in the first column when that cell is empty."""

    name: str
    title: str
    store_label: str
    period_label: str
    columns: list[ReportColumn]
    rows: Iterable[Mapping[str, Any] | Sequence[Any]] = field(default_factory=list)
    total_row: Mapping[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def heading(self) -> str:
        return f"{self.title}（{self.store_label}，{self.period_label}）"

    def values(self, row: Mapping[str, Any] | Sequence[Any]) -> list[Any]:
        """A row's values in column order."""
        if isinstance(row, Mapping):
            return [row.get(c.key) for c in self.columns]
        return list(row)

    def total_values(self) -> list[Any] | None:
        if self.total_row is None:
            return None
        values = self.values(self.total_row)
        if values and values[0] in (None, ""):
            values[0] = TOTAL_LABEL
        return values

    def materialize(self) -> ReportTable:
        """Read a generator of rows into a list, so that the table can be shown and written twice."""
        if not isinstance(self.rows, list):
            self.rows = list(self.rows)
        return self


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """THE rate rule of every report: numerator / denominator, None (an empty cell) when the
    denominator is zero or unknown."""
    if not denominator:
        return None
    return (numerator or 0) / denominator


def local_naive(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime as local wall time without tzinfo (Excel has no time zones)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def local_time(field: str) -> Func:
    """A timestamptz column as the current time zone's wall time (a naive datetime, which the
    writer takes as local), computed by PostgreSQL: for exports of many rows, in `values_list`.
    Django loads timestamptz values in Python (4 µs each: 0.8 s of CPU for the 200,000 datetimes
    of the 100,000-row benchmark); psycopg loads timestamp without time zone in C."""
    return Func(
        F(field),
        Value(timezone.get_current_timezone_name()),
        template="(%(expressions)s)",
        arg_joiner=" AT TIME ZONE ",
        output_field=DateTimeField(),
    )


def format_cell(value: Any, kind: str) -> str:
    """A value as text for the HTML page (the workbook keeps numbers as numbers)."""
    if value is None or value == "":
        return ""
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, Figure):
        return value.text
    if kind == "datetime" and isinstance(value, dt.datetime):
        return local_naive(value).strftime("%Y-%m-%d %H:%M")
    if kind == "date" and isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if kind == "number" and isinstance(value, float | Decimal):
        return f"{value:.1f}"
    return str(value)


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub("_", title)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name


_TITLE_FONT = Font(bold=True, size=13)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TOTAL_FONT = Font(bold=True)


_FORMATS = {"rate": RATE_FORMAT, "datetime": DATETIME_FORMAT, "date": DATE_FORMAT}


def _converter(kind: str, tz: dt.tzinfo) -> Callable[[Any], Any]:
    """What a column of `kind` writes for a value other than None or a string. A string — or a
    lazy translation — is written as text in any column: a label such as 合计 over a 序号 column."""
    if kind in ("rate", "int", "number"):
        cast = {"rate": float, "int": int, "number": _plain_number}[kind]
        return lambda value: cast(value) if isinstance(value, int | float | Decimal) else str(value)

    if kind in ("datetime", "date"):

        def local(value: Any) -> Any:
            # Aware → local wall time without tzinfo (Excel has no time zones), in the zone looked
            # up once per sheet rather than once per cell; then Excel's serial number.
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.astimezone(tz).replace(tzinfo=None)
            return excel_serial(value) if isinstance(value, dt.date) else value

        return local
    return lambda value: value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _plain_number(value: int | float | Decimal) -> int | float:
    return float(value) if isinstance(value, Decimal) else value


def _figure_writer(ws, index: int, *, text_style: int, font: dict, tz: dt.tzinfo, bold: bool):
    """A "figure" column's cell writer: a `Figure` as a number in its own format (one cell writer per
    format met, made once), anything else as a text cell."""
    plain = cell_writer(index, style=text_style, styled_empty=bold, convert=_converter("text", tz))
    by_format: dict[str, Callable[[Any, int], str]] = {}

    def cell(value: Any, number: int) -> str:
        if not isinstance(value, Figure):
            return plain(value, number)
        writer = by_format.get(value.number_format)
        if writer is None:
            style = style_id(ws, number_format=value.number_format, **font)
            writer = by_format[value.number_format] = cell_writer(index, style=text_style, number_style=style)
        return writer(float(value.value), number)

    return cell


def _row_writer(ws, columns: list[ReportColumn], *, bold: bool = False) -> Callable[[Sequence[Any], int], str]:
    """A function turning one row's values into its XML: the per-column decisions (conversion,
    style, number format) are made once here, not once per cell."""
    tz = timezone.get_current_timezone()
    font = {"font": _TOTAL_FONT} if bold else {}
    text_style = style_id(ws, **font) if bold else 0
    cells = []
    for index, column in enumerate(columns, start=1):
        if column.kind == "figure":
            cells.append(_figure_writer(ws, index, text_style=text_style, font=font, tz=tz, bold=bold))
            continue
        fmt = _FORMATS.get(column.kind)
        cells.append(
            cell_writer(
                index,
                style=text_style,
                number_style=style_id(ws, number_format=fmt, **font) if fmt else None,
                styled_empty=bold,
                convert=_converter(column.kind, tz),
            )
        )

    def row(values: Sequence[Any], number: int) -> str:
        return row_xml(number, [cell(value, number) for cell, value in zip(cells, values, strict=False)])

    return row


def _sheet_rows(ws, table: ReportTable, counter: list[int]) -> Iterator[str]:
    """Every row of one table's sheet as XML: title, headers, data (counted in `counter`), the
    合计 row and the notes."""
    title = cell_writer(1, style=style_id(ws, font=_TITLE_FONT))
    yield row_xml(1, [title(table.heading, 1)])
    header_style = style_id(ws, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_HEADER_ALIGN)
    yield row_xml(2, [cell_writer(i, style=header_style)(h, 2) for i, h in enumerate(table.headers, start=1)])
    body, values = _row_writer(ws, table.columns), table.values
    number = 2
    for row in table.rows:
        number += 1
        yield body(values(row), number)
    counter.append(number - 2)
    total = table.total_values()
    if total is not None:
        number += 1
        yield _row_writer(ws, table.columns, bold=True)(total, number)
    note = cell_writer(1)
    for text in table.notes:
        number += 1
        yield row_xml(number, [note(text, number)])


def _write_table(wb: Workbook, table: ReportTable, used: set[str]) -> int:
    ws = wb.create_sheet(_sheet_name(table.title, used))
    for index, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A3"  # the title row and the header row stay in view
    counter: list[int] = []
    SheetWriter(ws).write_sheet_data(_sheet_rows(ws, table, counter))
    return counter[0]


def write_xlsx(tables: ReportTable | Sequence[ReportTable], out: str | IO[bytes]) -> int:
    """Write one table, or several (one sheet each), to `out` (a path or a binary file).

    Returns the number of data rows written (without title, header and total rows)."""
    if isinstance(tables, ReportTable):
        tables = [tables]
    wb = Workbook(write_only=True)
    used: set[str] = set()
    count = sum(_write_table(wb, table, used) for table in tables)
    wb.save(out)
    return count


def xlsx_response(tables: ReportTable | Sequence[ReportTable], filename: str) -> FileResponse:
    """The workbook as a download, streamed in chunks from a temporary file (never held in memory)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when the response ends
    rows = write_xlsx(tables, handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response.rows_written = rows  # for the caller's audit entry
    return response


def export_language() -> translation.override:
    """Exports — downloads, `export_report`, frozen report packages — are built and written in the
    default language (Simplified Chinese) whatever the language of the user who asked: SPEC §9's
    headers are what the archive and other systems read. Pages build the same tables in the user's
    language (row labels, months, 合计) and translate headers and titles when shown
    (reports.presentation)."""
    return translation.override(settings.LANGUAGE_CODE)


@contextmanager
def without_jit():
    """A transaction in which PostgreSQL does not JIT-compile: report aggregates are estimated far
    above the JIT threshold (correlated subqueries are costed per row), and compiling took 0.1–3 s
    of queries that run once in 0.3–2 s on the scale data. The setting is local to the transaction
    (or to the enclosing one, inside a savepoint). Other databases: just the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield
