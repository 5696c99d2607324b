"""Reading a DMS file: an .xlsx workbook, a legacy .xls or an .ods (sheets matched by name) or a .csv
file (matched by the file name's prefix), UTF-8 (with or without BOM) or GBK/GB18030 as Excel saves
it on a Chinese Windows.

`open_sheets` checks everything that can make a file unusable before anything is imported, and
raises `ImportFileError` with one line the user can act on: a zip member too large or too
compressed for its kind (checked before any parser sees it — a 311 KB file may inflate to
300 MB), unreadable file, XML that no parser accepts anywhere in a sheet (the whole sheet is
scanned first, so a broken row 90,000 fails the file before row 2 is imported), a CSV that does
not decode or parse, no known sheet, a known sheet missing a required column or naming one twice.
Rows are then streamed, so memory stays flat on a 100,000-row workbook (see crm/importing/xlsx.py;
.xls and .ods, which python-calamine reads whole, are read in a capped child process, see
crm/importing/calamine.py).
"""

import codecs
import csv
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from crm.importing import calamine
from crm.importing.registry import SheetHandler, handler_for_csv_name, handler_for_sheet_name, sheet_handlers
from crm.importing.xlsx import XlsxError, XlsxWorkbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".txt")
# A field the csv module would grow past this (a quote never closed swallows the rest of the file)
# fails the file; anything shorter reaches the cell check and, when too long, fails its row only.
CSV_FIELD_LIMIT = 16 * 1024 * 1024


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
    """NFKC first: full-width letters and digits (ｍｏｂｉｌｅ, Ｑ１) and the ideographic space become
    their ASCII forms, then every space goes (DMS exports pad and split headers)."""
    if value is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).replace("\ufeff", "").split())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _map_columns(handler: SheetHandler, header: tuple, sheet_name: str) -> dict[int, str]:
    accepted = handler.header_map()
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        name = _normalise_header(cell)
        key = accepted.get(name) or accepted.get(name.lower())
        if not key:
            continue
        first = next((i for i, k in columns.items() if k == key), None)
        if first is not None:
            # Which of the two is the DMS's? Guessing would import the wrong one silently.
            column = next(c.zh for c in handler.columns if c.key == key)
            raise ImportFileError(
                _("工作表“%(sheet)s”的列“%(col)s”出现了两次（%(a)s 列和 %(b)s 列），请删除其中一列")
                % {"sheet": sheet_name, "col": column, "a": _column_letter(first), "b": _column_letter(index)}
            )
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


def _unreadable(display_name: str, reason: str) -> ImportFileError:
    return ImportFileError(
        _("无法读取“%(name)s”：不是有效的 Excel 工作簿（%(err)s）") % {"name": display_name, "err": reason}
    )


def check_zip(path: Path, display_name: str, *, streamed: Callable[[str], bool]) -> None:
    """Refuse a zip whose members inflate past their limit or by more than the allowed ratio, from
    the sizes in its directory, before any parser reads it: zipfile never inflates a member past
    the size the directory declares (it fails the CRC instead), so the declared size bounds what
    a parser can be handed. `streamed(name)`: a member read row by row may be larger than one a
    parser loads whole (shared strings, styles)."""
    ratio_limit = settings.DMS_IMPORT_MAX_RATIO
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable(display_name, type(exc).__name__) from None
    for member in members:
        limit = settings.DMS_IMPORT_MAX_SHEET_BYTES if streamed(member.filename) else settings.DMS_IMPORT_MAX_PART_BYTES
        if member.file_size > limit:
            raise ImportFileError(
                _("无法导入“%(name)s”：其中的 %(part)s 解压后 %(size)s MB，超过上限 %(limit)s MB")
                % {
                    "name": display_name,
                    "part": member.filename,
                    "size": member.file_size // 2**20,
                    "limit": limit // 2**20,
                }
            )
        if member.file_size > 1024 * 1024 and member.file_size > ratio_limit * max(member.compress_size, 1):
            raise ImportFileError(
                _("无法导入“%(name)s”：其中的 %(part)s 压缩比 %(ratio)s:1 异常（上限 %(limit)s:1），疑似压缩炸弹")
                % {
                    "name": display_name,
                    "part": member.filename,
                    "ratio": member.file_size // max(member.compress_size, 1),
                    "limit": ratio_limit,
                }
            )


_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CONTENT_TYPES = "[Content_Types].xml"


def _worksheet_parts(path: Path) -> set[str]:
    """The members [Content_Types].xml declares as worksheets, and as nothing else: openpyxl finds
    the shared strings by content type too, so no part can be sized as a sheet yet loaded whole.
    (A sheet part declared otherwise is held to the smaller limit: stricter, not looser.)"""
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo(_CONTENT_TYPES).file_size > settings.DMS_IMPORT_MAX_PART_BYTES:
                return set()  # check_zip refuses it
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            root = etree.fromstring(archive.read(_CONTENT_TYPES), parser)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, etree.LxmlError):
        return set()  # not a workbook: openpyxl says so, after check_zip
    kinds: dict[str, set[str]] = {}
    for override in root.iter("{*}Override"):
        kinds.setdefault(override.get("PartName", "").lstrip("/"), set()).add(override.get("ContentType"))
    return {name for name, types in kinds.items() if types == {_WORKSHEET}}


def _open_xlsx(path: Path, display_name: str) -> list[SheetSource]:
    # The ratio and the largest size first, for every member; then the manifest (small, checked)
    # says which members are sheets, read row by row, and every other member gets the smaller limit.
    check_zip(path, display_name, streamed=lambda name: name != _CONTENT_TYPES)
    sheets = _worksheet_parts(path)
    check_zip(path, display_name, streamed=sheets.__contains__)
    try:
        workbook = XlsxWorkbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a damaged zip or XML
        raise _unreadable(display_name, type(exc).__name__) from None
    sources = []
    for sheet in workbook.sheets:
        handler = handler_for_sheet_name(sheet.title)
        if handler is None:
            continue
        try:
            # The whole sheet once, before anything is imported: XML that breaks at row 90,000 (an
            # entity bomb, a 400 MB text node) must fail the file, not the import half-way.
            last_row = workbook.scan(sheet)
            rows = workbook.rows(sheet)
            header_number, header = next(rows, (1, ()))
        except XlsxError as exc:
            raise _unreadable(display_name, str(exc)) from None
        columns = _map_columns(handler, header, sheet.title)
        estimated = max(last_row - header_number, 0)
        sources.append(SheetSource(handler, sheet.title, columns, _guarded(rows, display_name), estimated))
    if not sources:
        _no_known_sheet(display_name, [s.title for s in workbook.sheets])
    return sources


def _guarded(rows, display_name: str) -> Iterator[tuple[int, tuple]]:
    """The rows, with a reader error (the file changed under us since the scan) as a file error."""
    try:
        yield from rows
    except XlsxError as exc:
        raise _unreadable(display_name, str(exc)) from None


def _open_calamine(path: Path, display_name: str) -> list[SheetSource]:
    if display_name.lower().endswith(".ods") or zipfile.is_zipfile(path):
        # calamine loads content.xml whole, in its child process whose memory is capped anyway.
        check_zip(path, display_name, streamed=lambda name: name == "content.xml")
    try:
        book = calamine.read_workbook(path, wanted=lambda title: handler_for_sheet_name(title) is not None)
    except calamine.CalamineError as exc:
        raise _unreadable(display_name, str(exc)) from None
    sources = []
    for sheet in book.sheets:
        handler = handler_for_sheet_name(sheet.title)
        rows = book.rows(sheet)
        header_number, header = next(rows, (1, ()))
        columns = _map_columns(handler, header, sheet.title)
        sources.append(SheetSource(handler, sheet.title, columns, rows, max(sheet.last_row - header_number, 0)))
    if not sources:
        _no_known_sheet(display_name, book.titles)
    return sources


def _no_known_sheet(display_name: str, titles: list[str]) -> None:
    raise ImportFileError(
        _("“%(name)s”中没有可导入的工作表（现有：%(names)s；可导入：%(known)s）")
        % {"name": display_name, "names": "、".join(titles), "known": _known_sheets_line()}
    )


def _csv_encoding(path: Path, display_name: str) -> str:
    """UTF-8 (BOM or not), else GB18030 (a superset of GBK), checked over the whole file a megabyte
    at a time, so memory stays flat whatever its size."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as raw:
                while chunk := raw.read(1024 * 1024):
                    if "\x00" in decoder.decode(chunk):
                        raise ImportFileError(_("无法读取“%(name)s”：不是文本格式的 CSV 文件") % {"name": display_name})
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法读取“%(name)s”：编码不是 UTF-8 或 GBK") % {"name": display_name})


def _csv_records(path: Path, encoding: str, dialect) -> Iterator[tuple[int, tuple]]:
    """(line number where the record starts, fields) for every record after the header."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, dialect)
        next(reader, None)
        line = reader.line_num + 1
        for cells in reader:
            yield line, tuple(cells)
            line = reader.line_num + 1


def _open_csv(path: Path, display_name: str) -> list[SheetSource]:
    handler = handler_for_csv_name(Path(display_name).name)
    if handler is None:
        raise ImportFileError(
            _("CSV 文件名须以工作表英文名开头（如 repair_orders-2026-10.csv）：%(name)s；可导入：%(known)s")
            % {"name": display_name, "known": _known_sheets_line()}
        )
    encoding = _csv_encoding(path, display_name)
    with path.open(encoding=encoding, newline="") as handle:
        head = handle.read(4096)
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(CSV_FIELD_LIMIT)
    count, line = 0, 0
    try:
        with path.open(encoding=encoding, newline="") as handle:
            header = tuple(next(csv.reader(handle, dialect), None) or ())
        columns = _map_columns(handler, header, display_name)
        # The whole file once before anything is imported (the csv module is fast): a record it
        # cannot parse fails the file with its line, not the import half-way.
        line = 1
        for record in _csv_records(path, encoding, dialect):
            line = record[0]
            count += 1
    except csv.Error as exc:
        raise ImportFileError(
            _("无法读取“%(name)s”：第 %(line)s 行附近不是有效的 CSV（%(err)s）")
            % {"name": display_name, "line": line + 1, "err": exc}
        ) from None
    return [SheetSource(handler, display_name, columns, _csv_records(path, encoding, dialect), count)]


def open_sheets(path: str | Path, *, display_name: str | None = None) -> list[SheetSource]:
    """The known sheets of a file, in import order; raises ImportFileError for an unusable file."""
    path = Path(path)
    display_name = display_name or path.name
    if not path.is_file():
        raise ImportFileError(_("找不到文件：%(name)s") % {"name": display_name})
    suffix = display_name.lower()
    if suffix.endswith((".xls", ".ods")):
        sources = _open_calamine(path, display_name)
    elif zipfile.is_zipfile(path) or suffix.endswith((".xlsx", ".xlsm")):
        sources = _open_xlsx(path, display_name)
    elif suffix.endswith(CSV_SUFFIXES):
        sources = _open_csv(path, display_name)
    else:
        raise ImportFileError(
            _("无法读取“%(name)s”：只接受 .xlsx、.xls、.ods 工作簿或 .csv 文件") % {"name": display_name}
        )
    return sorted(sources, key=lambda s: s.handler.order)
