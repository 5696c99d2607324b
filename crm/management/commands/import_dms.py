"""`python manage.py import_dms PATH [--store CODE] [--errors-out PATH.xlsx]` (SPEC §5, §11).

Prints `<sheet>: created N, updated N, unchanged N, errors N` per sheet, then the bad rows and the
values dropped from imported rows (warnings, marked 已忽略) on stderr. Exit status: 0 all rows
imported (warnings included), 1 some rows failed (the good ones are imported), 2 the file or an
argument is unusable (one line on stderr, nothing changed).
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from crm.importing.runner import ImportFileError, import_file, write_error_report
from crm.models import Store


class Command(BaseCommand):
    help = "Import deliveries, repair orders, callback results and complaints from a DMS export (.xlsx/.xls/.ods/.csv)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="an .xlsx, .xls or .ods workbook, or a .csv file named after its sheet")
        parser.add_argument("--store", help="store code for rows without a 门店 column")
        parser.add_argument("--errors-out", help="write the bad rows to this .xlsx (sheet, row, column, reason)")

    def handle(self, *args, path, store=None, errors_out=None, **options):
        default_store = None
        if store:
            default_store = Store.objects.filter(code=store).first()
            if default_store is None:
                raise CommandError(f"unknown store code: {store}", returncode=2)
        try:
            result = import_file(path, store=default_store)
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        for sheet in result.sheets:
            self.stdout.write(sheet.line())
        if errors_out:
            write_error_report(result.problems, errors_out)
        elif result.problems:
            for problem in result.problems[:20]:
                kind = "warning" if problem.ignored else "error"
                self.stderr.write(
                    f"{kind}: {problem.sheet} row {problem.row} [{problem.column}]: {problem.reason}"
                    + (f" ({problem.action})" if problem.ignored else "")
                )
            more = len(result.problems) + result.untold - 20
            if more > 0:
                self.stderr.write(f"… {more} more (use --errors-out PATH.xlsx)")
        if result.error_count:
            sys.exit(1)
