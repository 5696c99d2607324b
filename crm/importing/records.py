"""Rows handed over as records (the API's JSON batches) instead of a file, read as a sheet.

A DMS that pushes its rows (POST /api/v1/dms/…) goes through the very path of `import_dms`: the
records become a `SheetSource` like a sheet of a workbook, and `runner.import_sources` parses every
value with the column's parser, hands the handler batches and runs the post-import steps (callback
generation, …). So the rules, the messages and the idempotency are the file import's.

A record's keys are the sheet's headers, English or Chinese (`ro_no` or `工单号`); unknown keys
are ignored, as extra columns are. The batch is one sheet: a key given in any record is a column
of it, and a record without that key has an empty cell there (as in a spreadsheet); a key no
record gives is a column the DMS did not send, which leaves what the database holds alone.
Row numbers are the records' positions counted from 1.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from crm.importing.readers import ImportFileError, SheetSource
from crm.importing.registry import SheetHandler, handler_for_key

# What a JSON value may be: a cell of a spreadsheet holds no lists or objects.
SCALAR_TYPES = (str, int, float, bool, type(None))


def records_source(sheet_key: str, records: Sequence[Mapping[str, Any]], *, name: str | None = None) -> SheetSource:
    """The records as a sheet of the handler registered under `sheet_key`."""
    handler = handler_for_key(sheet_key)
    if handler is None:
        raise ImportFileError(_("未知的工作表：%(v)s") % {"v": sheet_key})
    accepted = handler.header_map()
    keys: list[str] = [c.key for c in handler.columns if c.required]
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, record in enumerate(records, start=1):
        row: dict[str, Any] = {}
        for header, value in record.items():
            key = accepted.get(str(header).strip()) or accepted.get(str(header).strip().lower())
            if key is None:
                continue
            if not isinstance(value, SCALAR_TYPES):
                value = str(value)  # a list or object is a bad value of its column, said by its parser
            row[key] = value
            if key not in keys:
                keys.append(key)
        rows.append((number, row))
    columns = dict(enumerate(keys))
    cells = [(number, tuple(row.get(key) for key in keys)) for number, row in rows]
    return SheetSource(handler, name or handler.zh_name, columns, cells, len(cells))


def sheet_columns(handler: SheetHandler) -> list[dict[str, Any]]:
    """The columns of a sheet as the API documents them: key, Chinese header, required."""
    return [{"key": c.key, "zh": c.zh, "required": c.required} for c in handler.columns]
