"""Reading a DMS file: an .xlsx workbook (sheets matched by name) or a .csv file (matched by the file
name's prefix), UTF-8 (with or without BOM) or GBK/GB18030 as Excel saves it on a Chinese Windows.

`open_sheets` checks everything that can make a file unusable before anything is imported —
unreadable file, no known sheet, a known sheet missing a required column — and raises
`ImportFileError` with one line the user can act on. Rows are then streamed, so memory stays flat
on a 100,000-row workbook (see crm/importing/xlsx.py).
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from crm.importing.registry import SheetHandler, handler_for_csv_name, handler_for_sheet_name, sheet_handlers
from crm.importing.xlsx import XlsxWorkbook


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was changed."""


@dataclass
class SheetSource:
    handler: SheetHandler
    name: str  # as the user named it (sheet name or file name)
    columns: dict[int, str]  # cell index -> column key
    rows: Any  # iterable of (row_number, tuple of cell values)
    estimated_rows: int

    def parsed_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for row_number, cells in self.rows:
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue  # blank lines between blocks are common in hand-edited sheets
            yield row_number, {key: cells[i] if i < len(cells) else None for i, key in self.columns.items()}


def _normalise_header(value: Any) -> str:
    return str(value).strip().replace("\ufeff", "").replace(" ", "") if value is not None else ""


def _map_columns(handler: SheetHandler, header: tuple, sheet_name: str) -> dict[int, str]:
    accepted = handler.header_map()
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        name = _normalise_header(cell)
        key = accepted.get(name) or accepted.get(name.lower())
        if key and key not in columns.values():
            columns[index] = key
    missing = [c.zh for c in handler.columns if c.required and c.key not in columns.values()]
    if missing:
        raise ImportFileError(
            _("工作表“%(sheet)s”缺少必填列：%(cols)s（表头须为中文或英文列名）")
            % {"sheet": sheet_name, "cols": "、".join(missing)}
        )
    return columns


def _known_sheets_line() -> str:
    return "、".join(f"{h.zh_name}/{h.key}" for h in sheet_handlers())


def _open_workbook(path: Path, display_name: str) -> list[SheetSource]:
    try:
        workbook = XlsxWorkbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a damaged zip or XML
        reason = {"name": display_name, "err": type(exc).__name__}
        raise ImportFileError(_("无法读取“%(name)s”：不是有效的 Excel 工作簿（%(err)s）") % reason) from None
    sources = []
    for sheet in workbook.sheets:
        handler = handler_for_sheet_name(sheet.title)
        if handler is None:
            continue
        rows = workbook.rows(sheet)
        try:
            header_number, header = next(rows, (1, ()))
        except etree.LxmlError as exc:
            reason = {"name": display_name, "err": type(exc).__name__}
            raise ImportFileError(_("无法读取“%(name)s”：不是有效的 Excel 工作簿（%(err)s）") % reason) from None
        columns = _map_columns(handler, header, sheet.title)
        estimated = max(workbook.estimated_rows(sheet) - header_number, 0)
        sources.append(SheetSource(handler, sheet.title, columns, rows, estimated))
    if not sources:
        names = "、".join(s.title for s in workbook.sheets)
        raise ImportFileError(
            _("“%(name)s”中没有可导入的工作表（现有：%(names)s；可导入：%(known)s）")
            % {"name": display_name, "names": names, "known": _known_sheets_line()}
        )
    return sources


def _decode(raw: bytes, display_name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法读取“%(name)s”：编码不是 UTF-8 或 GBK") % {"name": display_name})


def _open_csv(path: Path, display_name: str) -> list[SheetSource]:
    handler = handler_for_csv_name(Path(display_name).name)
    if handler is None:
        raise ImportFileError(
            _("CSV 文件名须以工作表英文名开头（如 repair_orders-2026-10.csv）：%(name)s；可导入：%(known)s")
            % {"name": display_name, "known": _known_sheets_line()}
        )
    content = _decode(path.read_bytes(), display_name)
    if "\x00" in content:
        raise ImportFileError(_("无法读取“%(name)s”：不是文本格式的 CSV 文件") % {"name": display_name})
    try:
        dialect = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    header = tuple(next(reader, None) or ())
    columns = _map_columns(handler, header, display_name)
    body = ((number, tuple(cells)) for number, cells in enumerate(reader, start=2))
    estimated = max(content.count("\n") - 1, 0)
    return [SheetSource(handler, display_name, columns, body, estimated)]


def open_sheets(path: str | Path, *, display_name: str | None = None) -> list[SheetSource]:
    """The known sheets of a file, in import order; raises ImportFileError for an unusable file."""
    path = Path(path)
    display_name = display_name or path.name
    if not path.is_file():
        raise ImportFileError(_("找不到文件：%(name)s") % {"name": display_name})
    if zipfile.is_zipfile(path) or display_name.lower().endswith((".xlsx", ".xlsm")):
        sources = _open_workbook(path, display_name)
    elif display_name.lower().endswith((".csv", ".txt")):
        sources = _open_csv(path, display_name)
    else:
        raise ImportFileError(_("无法读取“%(name)s”：只接受 .xlsx 工作簿或 .csv 文件") % {"name": display_name})
    return sorted(sources, key=lambda s: s.handler.order)
