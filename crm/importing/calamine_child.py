"""The child process of crm.importing.calamine (no Django here: it only reads the workbook).

    python -m crm.importing.calamine_child titles PATH OUT LIMIT
        prints every sheet title, one a line
    python -m crm.importing.calamine_child rows PATH OUT LIMIT SHEET...
        writes each sheet's rows to OUT as pickled chunks of (row number, cells), each sheet ended
        by an empty chunk, and prints "title<TAB>last row<TAB>offset" per sheet

The address space is capped first, so a workbook that expands past LIMIT ends in MemoryError here.
On any error: one line on stderr, exit status 3.
"""

import datetime as dt
import pickle
import resource
import sys

CHUNK = 1000


def _cell(value):
    # calamine gives "" for an empty cell and a float for every number; the importer's parsers
    # take None for empty and whole numbers as int (as the .xlsx reader gives them).
    if value == "" or value is None:
        return None
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


def _rows(sheet):
    start_row, start_column = sheet.start or (0, 0)
    pad = (None,) * start_column
    for index, row in enumerate(sheet.iter_rows()):
        yield start_row + index + 1, pad + tuple(_cell(v) for v in row)


def main(argv: list[str]) -> int:
    mode, path, out, limit, *wanted = argv
    resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    if mode == "titles":
        for title in workbook.sheet_names:
            print(title.replace("\n", " "))
        return 0
    with open(out, "wb") as target:
        for title in workbook.sheet_names:
            if title.replace("\n", " ") not in wanted:
                continue
            sheet = workbook.get_sheet_by_name(title)
            offset = target.tell()
            chunk: list = []
            last = 0
            for number, cells in _rows(sheet):
                chunk.append((number, cells))
                last = number
                if len(chunk) >= CHUNK:
                    pickle.dump(chunk, target, protocol=pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, target, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump([], target)
            del sheet
            print(f"{title}\t{last}\t{offset}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BaseException as exc:  # the parent reads one line and fails the file
        if isinstance(exc, SystemExit):
            raise
        message = str(exc).splitlines()[0] if str(exc) else ""
        print(f"{type(exc).__name__}: {message}"[:300], file=sys.stderr)
        sys.exit(3)
