from django.core.management.base import BaseCommand

from crm.beat import beat_schedule_problems, beat_schedule_sync


class Command(BaseCommand):
    help = (
        "Write Celery beat's schedule from settings into the database (idempotent), or with --check "
        "only list the entries that are missing or differ (exit 1 when any)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when an entry is off")

    def handle(self, *args, check: bool, **options):
        if not check:
            names = beat_schedule_sync()
            self.stdout.write(f"beat schedule: {len(names)} entries written")
        problems = beat_schedule_problems()
        for problem in problems:
            self.stderr.write(f"beat entry {problem}")
        if problems:
            raise SystemExit(1)
        if check:
            self.stdout.write("beat schedule: complete")
