from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.models import Store
from retention.choices import OutreachKind
from retention.generation import reminders_generate
from retention.rules import parse_day


class Command(BaseCommand):
    help = (
        "Create the reminders due for generation on a date (default today), as the daily beat does "
        "(SPEC §10.2); prints `created N, skipped N` per kind."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, Asia/Shanghai)")
        parser.add_argument("--store", help="store code (default: every active store)")

    def handle(self, *args, date: str | None = None, store: str | None = None, **options):
        try:
            day = parse_day(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        stores = None
        if store:
            stores = list(Store.objects.filter(code=store.strip().upper()))
            if not stores:
                raise CommandError(f"unknown store: {store}")
        totals = reminders_generate(day=day, stores=stores)
        labels = dict(OutreachKind.choices)
        for kind, count in totals.items():
            reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(count.reasons.items()))
            line = f"{kind} ({labels[kind]}): created {count.created}, skipped {count.skipped}"
            self.stdout.write(f"{line} ({reasons})" if reasons else line)
