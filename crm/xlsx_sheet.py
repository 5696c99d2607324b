"""Worksheet rows serialised as text inside openpyxl's write-only workbooks (crm.reporting's writer).

openpyxl turns every appended value into a cell object and writes it through lxml's incremental
writer, three elements a cell: about 9 µs a cell, 10 s of CPU for issue 5's benchmark (100,000
rows × 11 columns). XlsxWriter's constant-memory mode spends its time the same way (6 s). So
openpyxl still writes everything in the workbook — the styles, the sheet views and frozen panes,
the column widths, the zip package — except the worksheet's <sheetData>, whose rows come from this
module as one string each, made from per-column cell templates prepared once per sheet (~2 s).

The hook, on openpyxl 3.1 (pinned in requirements.txt; the tests of crm.reporting read every
kind of cell back): `SheetWriter` is the write-only sheet's `WorksheetWriter`, with its XML stream
written as UTF-8 text rather than through lxml so that whole rows can go in at once, and with
`write_rows()`, which openpyxl calls when it saves the sheet, left with nothing to do.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import WINDOWS_EPOCH, to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

MAX_CELL_CHARS = 32767  # Excel's limit; openpyxl truncates to it too
_ONE_DAY = dt.timedelta(days=1)
# Before 1900-03-01 Excel's serials count a 29 February 1900 that never was: openpyxl's to_excel
# knows; from then on a serial is simply the days since the epoch.
_FIRST_PLAIN_SERIAL = dt.datetime(1900, 3, 1)
# Characters XML 1.0 cannot carry at all (openpyxl refuses a cell holding one), and those that
# need escaping in text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPING = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CellWriter = Callable[[Any, int], str]


def style_id(ws: WriteOnlyWorksheet, *, number_format: str | None = None, **style: Any) -> int:
    """The workbook's style index for a font / fill / alignment / number format, registered in
    the workbook's style table the way openpyxl registers a styled cell's."""
    cell = WriteOnlyCell(ws)
    for name, value in style.items():
        setattr(cell, name, value)
    if number_format is not None:
        cell.number_format = number_format
    return cell.style_id


def excel_serial(value: dt.date) -> float | int:
    """A naive datetime or a date as Excel's serial number (days since 1899-12-30)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
        if value >= _FIRST_PLAIN_SERIAL:
            return (value - WINDOWS_EPOCH).days
    if value < _FIRST_PLAIN_SERIAL:
        return to_excel(value)
    return (value - WINDOWS_EPOCH) / _ONE_DAY


def xml_text(text: str) -> str:
    """Text as the content of a <t> element: at most Excel's 32,767 characters, markup escaped,
    and the control characters XML cannot carry dropped (openpyxl would refuse the whole file)."""
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
    if _NEEDS_ESCAPING.search(text) is None:  # nearly always: one scan, no copies
        return text
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def cell_writer(
    column: int,
    *,
    style: int = 0,
    number_style: int | None = None,
    styled_empty: bool = False,
    convert: Callable[[Any], Any] | None = None,
) -> CellWriter:
    """A function writing one cell of `column` (1-based) as XML: `cell(value, row_number)`.

    A value other than None or a string goes through `convert` first, if given. Then strings
    become inline strings, ints / floats / Decimals numbers, bools booleans, naive datetimes and
    dates serial numbers (convert aware ones first), anything else its str(); None, '' and NaN
    write nothing (an empty cell with `style` when `styled_empty`). Text takes `style`; numbers
    `number_style` (a number format, say) when given, else `style`. Numbers are written as
    openpyxl writes them (16 significant digits, whole floats without '.0')."""
    letter = get_column_letter(column)
    text_attrs = f' s="{style}"' if style else ""
    number_attrs = text_attrs if number_style is None else f' s="{number_style}"' if number_style else ""
    text = f'<c r="{letter}%d"{text_attrs} t="inlineStr"><is><t>%s</t></is></c>'
    spaced = f'<c r="{letter}%d"{text_attrs} t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
    integer = f'<c r="{letter}%d"{number_attrs}><v>%d</v></c>'
    number = f'<c r="{letter}%d"{number_attrs}><v>%.16g</v></c>'
    boolean = f'<c r="{letter}%d"{text_attrs} t="b"><v>%d</v></c>'
    empty = f'<c r="{letter}%d"{text_attrs}/>' if styled_empty and style else ""

    def blank(row: int) -> str:
        return empty % row if empty else ""

    def string(value: str, row: int) -> str:
        if not value:
            return blank(row)
        return (text if value == value.strip() else spaced) % (row, xml_text(value))

    def typed(value: Any, row: int) -> str:
        kind = value.__class__
        if kind is float:
            return number % (row, value) if math.isfinite(value) else blank(row)
        if kind is int:
            return integer % (row, value)
        if kind is str:
            return string(value, row)
        if value is None:
            return blank(row)
        if kind is bool:
            return boolean % (row, value)
        if isinstance(value, dt.date):  # datetimes too
            return number % (row, excel_serial(value))
        if isinstance(value, int | float | Decimal):
            return typed(float(value), row)
        return string(str(value), row)

    def cell(value: Any, row: int) -> str:
        if value.__class__ is str:  # most cells: nothing to convert
            return string(value, row)
        if value is None:
            return blank(row)
        if isinstance(value, str):  # SafeString, a TextChoices member: text in any column
            return string(str(value), row)
        return typed(value if convert is None else convert(value), row)

    return cell


def row_xml(row: int, cells: Iterable[str]) -> str:
    return f'<row r="{row}">{"".join(cells)}</row>'


class SheetWriter(WorksheetWriter):
    """openpyxl's writer of one write-only worksheet, taking its rows as XML strings.

    Set the sheet's column widths and freeze panes first (they are written here, before the rows);
    then `write_sheet_data(rows)` once; `Workbook.save()` adds the rest of the sheet and packs it.
    Nothing may be appended to the sheet with `ws.append` besides."""

    def __init__(self, ws: WriteOnlyWorksheet):
        super().__init__(ws)
        ws._writer = self  # where the write-only sheet keeps its writer; it then never makes its own
        self._data_written = False
        self.write_top()

    def get_stream(self):
        """openpyxl's stream protocol (send an element to write it, True to get the open file,
        None to hand it back), on a text file, so that rows can be written as text."""
        with open(self.out, "w", encoding="utf-8", newline="", buffering=1 << 16) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{SHEET_MAIN_NS}">')
            try:
                while True:
                    element = yield
                    if element is True:
                        yield out
                    elif element is not None:
                        out.write(tostring(element, encoding="unicode"))
            except GeneratorExit:
                pass
            out.write("</worksheet>")

    def write_sheet_data(self, rows: Iterable[str]) -> None:
        """The <sheetData> element: `rows` are <row> elements made with `row_xml`, in order."""
        out = self.xf.send(True)
        out.write("<sheetData>")
        out.writelines(rows)
        out.write("</sheetData>")
        self.xf.send(None)
        self._data_written = True

    def write_rows(self) -> None:
        # Called by openpyxl when it saves the sheet: the rows are already written.
        if not self._data_written:
            self.write_sheet_data(())
