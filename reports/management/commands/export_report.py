"""`python manage.py export_report NAME --month YYYY-MM [--store CODE] --out PATH.xlsx` (SPEC §9, §11)."""

from django.core.management.base import BaseCommand, CommandError

from crm.models import Store
from crm.periods import parse_month
from reports.registry import UnknownReport, get_report, report_names
from reports.services import report_export


class Command(BaseCommand):
    help = "Export a report (SPEC §9) for one month to an .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("name", help="report name, e.g. sc_satisfaction")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--store", help="store code (default: every store)")
        parser.add_argument("--out", required=True, help="path of the .xlsx file to write")

    def handle(self, *args, name, month, store, out, **options):
        try:
            get_report(name)
        except UnknownReport:
            raise CommandError(f"未知报表 {name!r}；可用：{', '.join(report_names())}", returncode=2) from None
        try:
            month_date = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        store_ids = None
        if store:
            found = Store.objects.filter(code=store).values_list("id", flat=True).first()
            if found is None:
                raise CommandError(f"未知门店代码 {store!r}", returncode=2)
            store_ids = [found]
        try:
            table = report_export(name=name, month=month_date, store_ids=store_ids, out=out, via="command")
        except OSError as exc:
            raise CommandError(f"无法写入 {out}: {exc.strerror or exc}", returncode=2) from None
        self.stdout.write(f"{table.title} {table.period_label} → {out}")
