"""Reading legacy .xls (Excel 97–2003) and .ods workbooks with python-calamine.

calamine reads a whole sheet into memory, and both formats can make a small file expand: an .xls
cell points into a shared-string table (calamine copies the string into every cell), an .ods
cell may say it repeats a million times. So the reading runs in a child process whose address
space is capped (`DMS_IMPORT_READER_MEMORY_BYTES`): a hostile file ends that process, not the
worker, and the parent gets one line. The child writes the known sheets' rows, pickled in chunks,
to a temporary file the parent then streams; the whole workbook is read before any row is
imported, so a file calamine cannot read changes nothing.
"""

import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

_CHILD = "crm.importing.calamine_child"
READ_TIMEOUT = 600  # seconds; a 100,000-row workbook takes a few


class CalamineError(Exception):
    """The workbook cannot be read; the message names the cause."""


@dataclass(frozen=True)
class CalamineSheet:
    title: str
    last_row: int  # the sheet's last row number (1-based), for the progress bar
    offset: int  # where its rows start in the temporary file


class CalamineBook:
    def __init__(self, titles: list[str], sheets: list[CalamineSheet], data) -> None:
        self.titles = titles  # every sheet of the workbook, for the "no known sheet" line
        self.sheets = sheets  # the sheets the caller asked for
        self._data = data  # the temporary file, deleted when this book is collected

    def rows(self, sheet: CalamineSheet) -> Iterator[tuple[int, tuple]]:
        """(row number as the spreadsheet shows it, cell values from column A), row by row."""
        with open(self._data.name, "rb") as source:
            source.seek(sheet.offset)
            while chunk := pickle.load(source):  # our own child wrote this file
                yield from chunk


def read_workbook(path: Path, *, wanted: Callable[[str], bool]) -> CalamineBook:
    """Read the sheets whose title `wanted` accepts; raises CalamineError."""
    # Deleted when the book is collected: it lives as long as the rows are being imported.
    data = tempfile.NamedTemporaryFile(prefix="dms-import-", suffix=".rows")  # noqa: SIM115
    titles = _run_child(path, data.name, mode="titles")
    keep = [title for title in titles if wanted(title)]
    if not keep:
        return CalamineBook(titles, [], data)
    lines = _run_child(path, data.name, mode="rows", sheets=keep)
    sheets = []
    for line in lines:
        title, last_row, offset = line.rsplit("\t", 2)
        sheets.append(CalamineSheet(title, int(last_row), int(offset)))
    return CalamineBook(titles, sheets, data)


def _run_child(path: Path, out: str, *, mode: str, sheets: list[str] = ()) -> list[str]:
    limit = str(settings.DMS_IMPORT_READER_MEMORY_BYTES)
    command = [sys.executable, "-m", _CHILD, mode, str(path), out, limit, *sheets]
    try:
        done = subprocess.run(  # our interpreter and module; the path is one argument
            command, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=READ_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise CalamineError(f"TimeoutError: not read within {READ_TIMEOUT} s") from None
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        reason = lines[-1] if lines else f"reader exited with status {done.returncode}"
        # Rust aborts the process when an allocation fails (SIGABRT); the kernel may kill it.
        if done.returncode < 0 or "MemoryError" in reason:
            reason = "MemoryError: the workbook expands past the reader's memory limit"
        raise CalamineError(reason[:200])
    return [line for line in done.stdout.splitlines() if line]
