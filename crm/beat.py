"""Celery beat's schedule in the database: write it before the processes start, and find what is missing.

The schedule is declared in settings (CELERY_BEAT_SCHEDULE, composed from each app's schedule.py);
django-celery-beat's DatabaseScheduler copies it into PeriodicTask rows when beat starts and only
logs an entry it could not write. On the demo's SQLite file that write once lost the race with
the web server and the worker, and `callbacks-expire` was never scheduled. `make run` therefore
writes the schedule before it starts the three processes, and `beat_schedule --check` (or
`manage.py check --database default`) says which entry is missing or differs.
"""

from dataclasses import dataclass

from celery import schedules
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, transaction
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry


@dataclass(frozen=True)
class BeatProblem:
    name: str
    problem: str  # "missing", "disabled", "task", "schedule", "expires"

    def __str__(self) -> str:
        return f"{self.name}: {self.problem}"


def _entry_class():
    # Imported late: django_celery_beat's scheduler module imports its models.

    return ModelEntry


def beat_schedule_sync(*, schedule: dict | None = None) -> list[str]:
    """Write every settings entry to django-celery-beat's tables (create or update; safe to repeat).

    The same conversion beat runs at startup (ModelEntry.from_entry), in one transaction, so a rerun
    creates no second row and a changed entry is updated in place. Returns the names written.
    """
    schedule = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
    entry_class = _entry_class()
    with transaction.atomic():
        for name, fields in schedule.items():
            model = entry_class.from_entry(name, **fields).model
            if not model.enabled:
                model.enabled = True
                model.save(update_fields=["enabled"])
    return list(schedule)


def beat_schedule_problems(*, schedule: dict | None = None) -> list[BeatProblem]:
    """The settings entries that beat would not run as declared (missing, disabled, other task/timing)."""

    schedule = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
    rows = {
        task.name: task
        for task in PeriodicTask.objects.filter(name__in=list(schedule)).select_related(
            "crontab", "interval", "solar", "clocked"
        )
    }
    problems: list[BeatProblem] = []
    for name, fields in schedule.items():
        row = rows.get(name)
        if row is None:
            problems.append(BeatProblem(name, "missing"))
            continue
        if not row.enabled:
            problems.append(BeatProblem(name, "disabled"))
        if row.task != fields["task"]:
            problems.append(BeatProblem(name, "task"))
        if row.schedule != schedules.maybe_schedule(fields["schedule"]):
            problems.append(BeatProblem(name, "schedule"))
        expires = fields.get("options", {}).get("expire_seconds")
        if expires is not None and row.expire_seconds != expires:
            problems.append(BeatProblem(name, "expires"))
    return problems


@checks.register(checks.Tags.database)
def beat_schedule_check(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check --database default`: a beat entry that is missing from the database is a warning."""
    if not databases or "default" not in databases:
        return []

    try:
        problems = beat_schedule_problems()
    except DatabaseError:  # not migrated yet
        return []
    return [
        checks.Warning(
            f"Celery beat entry {problem}",
            hint="Run `manage.py beat_schedule` to write the schedule from settings.",
            id="crm.W001",
        )
        for problem in problems
    ]
