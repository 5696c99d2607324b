"""`python manage.py sample_file_audits [--week YYYY-MM-DD] [--store CODE]` (SPEC §10.4): draw the
file-audit sample of one week, as the Monday beat task does. `--week` is any day of the week to
audit (default: the previous calendar week); prints `STORE week MONDAY: created N` per store."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.models import Store
from improvement.audits import audit_week_for, file_audits_sample_week, week_monday


class Command(BaseCommand):
    help = "Draw the weekly file-audit sample (table 14) of one week."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="a day of the week to audit, YYYY-MM-DD (default: last week)")
        parser.add_argument("--store", help="store code (default: every active store)")

    def handle(self, *args, week, store, **options):
        if week:
            try:
                monday = week_monday(dt.date.fromisoformat(week))
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD，收到：{week!r}", returncode=2) from None
        else:
            monday = audit_week_for(timezone.localdate())
        stores = Store.objects.filter(is_active=True)
        if store:
            stores = Store.objects.filter(code=store)
            if not stores.exists():
                raise CommandError(f"未知门店代码 {store!r}", returncode=2)
        for code, created in file_audits_sample_week(week=monday, stores=stores).items():
            self.stdout.write(f"{code} week {monday:%Y-%m-%d}: created {created}")
