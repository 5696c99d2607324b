"""Fill the tasks' stored outcome (last disposition and bucket) from their attempts, by the rule of
callbacks.services.callback_task_outcome_refresh: a finished task's final disposition (none for
未回访), else its latest attempt's; the bucket from callbacks.choices.DISPOSITION_RULES.

Written against the historical model (the service's own code may change later); two UPDATEs over
the table, the latest attempt read through the (task, -at, -id) index."""

from django.db import migrations
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from callbacks.choices import DISPOSITION_RULES, NOT_CALLED

FINISHED = ("done", "closed_unsuccessful")


def fill(apps, schema_editor):
    CallbackTask = apps.get_model("callbacks", "CallbackTask")
    CallAttempt = apps.get_model("callbacks", "CallAttempt")
    latest = CallAttempt.objects.filter(task=OuterRef("pk")).order_by("-at", "-id").values("disposition")[:1]
    finished = Q(state__in=FINISHED, final_disposition__gt="")
    CallbackTask.objects.update(
        last_disposition=Case(
            When(finished & Q(final_disposition=NOT_CALLED), then=Value("")),
            When(finished, then=F("final_disposition")),
            default=Coalesce(Subquery(latest), Value("")),
        )
    )
    buckets: dict[str, list[str]] = {}
    for disposition, rule in DISPOSITION_RULES.items():
        buckets.setdefault(str(rule.bucket), []).append(str(disposition))
    CallbackTask.objects.update(
        last_bucket=Case(
            *(When(last_disposition__in=values, then=Value(bucket)) for bucket, values in buckets.items()),
            default=Value(""),
            output_field=CharField(),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0006_task_last_disposition")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
