"""THE callback figures (SPEC §9) as ORM expressions, exported once: the month (or any period of
days) of a task, and which tasks are called, successful, unsuccessful, in each bucket, in each
satisfaction band and unhappy. Tables 3, 7 and 8, the weekly callback report, the agent daily
report, the dashboard, report packages and the staff drill-down all count with these; a report
never writes its own CASE WHEN, FILTER or Q for them.

Every expression takes `prefix`, the path from the model counted to the callback task ("" when
counting tasks, "callback_task__" from a delivery — whose task may be missing: every condition is
written so that a missing task (NULLs through a LEFT JOIN) counts in none of them).

The rules read what the one service that applies outcomes stores on the task
(callbacks.services.callback_task_outcome_refresh): `state`, `last_disposition`, `last_bucket`,
`sms_survey_sent_at`, `overall_score`. Nothing here looks at the attempts, so a month's table is
one pass over its tasks.
"""

import datetime as dt

from django.db.models import Case, CharField, Count, DateField, Q, Value, When
from django.db.models.functions import TruncMonth

from callbacks.choices import Bucket, CallbackKind, TaskState, dispositions_in_bucket
from crm.periods import day_bounds, next_month
from surveys.choices import SATISFACTION_BANDS, Satisfaction

# The buckets an unsuccessful task is split by in tables 3, 7, 8 and the agent daily report (an
# appointment that ran out, or an SMS sent and never answered, falls in none of them).
UNSUCCESSFUL_BUCKETS = (Bucket.REFUSED, Bucket.NO_ANSWER, Bucket.UNREACHABLE, Bucket.WRONG_NUMBER)

# --- the month of a task ----------------------------------------------------------------------------

# Where each kind's source event is read: a delivery's date; a repair order's 交车时间 (a datetime,
# whose month is taken in local time, Asia/Shanghai).
SOURCE_DATE = {
    CallbackKind.SALES.value: "delivery__delivered_on",
    CallbackKind.SERVICE.value: "repair_order__delivered_at",
}
SOURCE_STORE = {
    CallbackKind.SALES.value: "delivery__store_id",
    CallbackKind.SERVICE.value: "repair_order__store_id",
}


def task_month(kind: str, prefix: str = "") -> TruncMonth:
    """The month of the task's source event (its first day, a date) in local time."""
    return TruncMonth(f"{prefix}{SOURCE_DATE[kind]}", output_field=DateField())


def task_period_filter(
    *, kind: str, first_day: dt.date, last_day: dt.date, store_ids: list[int] | None = None, prefix: str = ""
) -> Q:
    """Tasks of `kind` whose source event lies in the days first_day..last_day (both included; a
    repair order's 交车时间 by its local date), in the stores. One kind at a time and by the source's
    own store and date, so that the database walks the (store, date) index of deliveries or repair
    orders and joins the task by its unique key — an OR over both kinds scans every task. A task's
    store is its source's."""
    date = f"{prefix}{SOURCE_DATE[kind]}"
    if kind == CallbackKind.SALES:
        start, end = first_day, last_day + dt.timedelta(days=1)
    else:
        start, end = day_bounds(first_day, last_day)
    q = Q(**{f"{date}__gte": start, f"{date}__lt": end})
    q &= Q(**{f"{prefix}kind": kind})
    if store_ids is not None:
        q &= Q(**{f"{prefix}{SOURCE_STORE[kind]}__in": store_ids})
    return q


def task_month_filter(
    *, kind: str, first: dt.date, last: dt.date | None = None, store_ids: list[int] | None = None, prefix: str = ""
) -> Q:
    """Tasks of `kind` whose source event lies in months first..last (SPEC §9's month of a task),
    in the stores: `task_period_filter` from the first month's first day to the last month's last."""
    last_day = next_month(last or first) - dt.timedelta(days=1)
    return task_period_filter(
        kind=kind, first_day=first.replace(day=1), last_day=last_day, store_ids=store_ids, prefix=prefix
    )


# --- dispositions and buckets -----------------------------------------------------------------------


def disposition_in_bucket(bucket: str, field: str = "disposition") -> Q:
    """A disposition (an attempt's, or `field`) in `bucket` (callbacks.choices.DISPOSITION_RULES)."""
    return Q(**{f"{field}__in": dispositions_in_bucket(bucket)})


def bucket_of(field: str) -> Case:
    """The bucket of the disposition in `field`; "" for none (the stored `last_bucket`'s rule)."""
    whens = [When(disposition_in_bucket(bucket, field), then=Value(bucket.value)) for bucket in Bucket]
    return Case(*whens, default=Value(""), output_field=CharField())


# --- called, success, unsuccessful, buckets ---------------------------------------------------------


def success(prefix: str = "") -> Q:
    """回访成功: the task is done (成功 or 短信回复; the only effect that sets DONE)."""
    return Q(**{f"{prefix}state": TaskState.DONE})


def called(prefix: str = "") -> Q:
    """回访数: a success, an attempt (call, SMS reply or imported row), or an SMS survey sent."""
    return (
        success(prefix)
        | Q(**{f"{prefix}last_disposition__gt": ""})
        | Q(**{f"{prefix}sms_survey_sent_at__isnull": False})
    )


def unsuccessful(now: dt.datetime, prefix: str = "") -> Q:
    """回访未成功: called, not successful, and closed or past the end of its window at `now`."""
    ended = Q(**{f"{prefix}state": TaskState.CLOSED_UNSUCCESSFUL}) | Q(
        **{f"{prefix}state__in": [TaskState.OPEN, TaskState.DATA_FIX], f"{prefix}window_closes_at__lt": now}
    )
    return called(prefix) & ended


def unsuccessful_in(bucket: str, now: dt.datetime, prefix: str = "") -> Q:
    """回访未成功 of one bucket (拒访数, 无人接听数 …): by the bucket of the task's last disposition."""
    return unsuccessful(now, prefix) & Q(**{f"{prefix}last_bucket": bucket})


# --- satisfaction bands ------------------------------------------------------------------------------


def satisfied(band: str, prefix: str = "") -> Q:
    """A successful task whose overall score is in the band (surveys.choices.SATISFACTION_BANDS)."""
    low, high = SATISFACTION_BANDS[band]
    return success(prefix) & Q(**{f"{prefix}overall_score__gte": low, f"{prefix}overall_score__lte": high})


# --- unhappy customers -------------------------------------------------------------------------------


def dissatisfied(prefix: str = "") -> Q:
    """不满意: a successful task with an overall score of 1–5."""
    return satisfied(Satisfaction.DISSATISFIED, prefix)


def grumbled(prefix: str = "") -> Q:
    """抱怨: a successful task that raised a hot alert — the agent's 抱怨 tick or a negative answer
    (SPEC §6; the questionnaire service stores `has_grumble` exactly then)."""
    return success(prefix) & Q(**{f"{prefix}has_grumble": True})


def unhappy(prefix: str = "") -> Q:
    """不满意客户: dissatisfied or grumbled (a task that is both counts once). The weekly callback
    report's count and list, and a staff member's dissatisfied customers on the dashboard."""
    return dissatisfied(prefix) | grumbled(prefix)


# --- the counts of tables 7 and 8 ---------------------------------------------------------------------

# Tables 7/8's keys of the satisfaction bands.
BAND_KEYS = {
    "fully": Satisfaction.FULLY,
    "basically": Satisfaction.BASICALLY,
    "dissatisfied": Satisfaction.DISSATISFIED,
}


def task_counts(now: dt.datetime, prefix: str = "") -> dict[str, Count]:
    """The counters of tables 7 and 8 over rows that lead to a task by `prefix` (交车数 is the rows
    themselves, counted by the caller): called, success, unsuccessful, the four unsuccessful
    buckets, and the three satisfaction bands."""
    return {
        "called": Count("pk", filter=called(prefix)),
        "success": Count("pk", filter=success(prefix)),
        "unsuccessful": Count("pk", filter=unsuccessful(now, prefix)),
        **{bucket.value: Count("pk", filter=unsuccessful_in(bucket, now, prefix)) for bucket in UNSUCCESSFUL_BUCKETS},
        **{key: Count("pk", filter=satisfied(band, prefix)) for key, band in BAND_KEYS.items()},
    }
