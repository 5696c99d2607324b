"""`python manage.py tag_voc [--month YYYY-MM] [--store CODE]`: tag the verbatims of a month again
(after the topic list changed, or to backfill), or — without --month — those recorded since the last
run, as the beat does. Prints the verbatims tagged per source."""

from django.core.management.base import BaseCommand, CommandError

from crm.models import Store
from crm.periods import parse_month
from voc import services


class Command(BaseCommand):
    help = "Tag customers' verbatims with the VOC topics (a month again, or the new ones)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM: tag every verbatim of this month again")
        parser.add_argument("--store", help="store code (with --month): only this store")

    def handle(self, *args, month=None, store=None, **options):
        if store and not month:
            raise CommandError("--store goes with --month (the incremental run covers every store)")
        if month:
            try:
                first = parse_month(month)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            store_ids = None
            if store:
                found = Store.objects.filter(code=store).first()
                if found is None:
                    raise CommandError(f"unknown store: {store}")
                store_ids = [found.pk]
            counts = services.voc_tag_month(month=first, store_ids=store_ids)
        else:
            counts = services.voc_tag_new()
        for source, n in counts.items():
            self.stdout.write(f"{source}: tagged {n}")
        self.stdout.write(f"total: tagged {sum(counts.values())}")
