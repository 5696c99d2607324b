"""Writes of the customer files. Views, commands and tasks call these; they hold the rules."""

import datetime
import logging
from collections.abc import Iterable
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.choices import CardType, DepartmentKind, ImportStatus
from crm.importing.bulk import ids_in
from crm.importing.runner import ImportFileError, import_file, write_error_report
from crm.models import Customer, Department, ImportJob, RepairOrder, Store
from crm.tasking import enqueue, enqueue_on_commit
from crm.validators import normalize_phone, validate_mobile

logger = logging.getLogger(__name__)


@transaction.atomic
def customer_update_section(*, customer: Customer, data: dict) -> Customer:
    """Save the fields of one card section; django-auditlog records who changed what (old → new).

    Only the given fields are written, so an edit of the contact section never overwrites a
    concurrent import's change to the vehicle or visit fields.
    """
    for name, value in data.items():
        setattr(customer, name, value)
    customer.save(update_fields=[*data.keys(), "updated_at"])
    return customer


def customer_get_or_create(*, store: Store, name: str, mobile: str) -> tuple[Customer, bool]:
    """The customer file of `store` with this mobile and name, created when there is none — matched
    as the DMS import matches (store + mobile + name, a unique constraint, so two desks filing the
    same new person at once get one file). Returns (customer, created)."""

    name, mobile = name.strip(), normalize_phone(mobile)
    if not name:
        raise ValidationError({"name": _("请填写客户姓名。")})
    validate_mobile(mobile)
    return Customer.objects.get_or_create(store=store, mobile=mobile, name=name)


def store_add(*, code: str, name: str) -> tuple[Store, bool]:
    """Create a store with its six departments (SPEC §4); idempotent — a second call renames at most.

    Returns (store, created).
    """
    with transaction.atomic():
        store, created = Store.objects.get_or_create(code=code, defaults={"name": name})
        if not created and store.name != name:
            store.name = name
            store.save(update_fields=["name"])
        Department.objects.bulk_create(
            [Department(store=store, kind=kind) for kind in DepartmentKind.values], ignore_conflicts=True
        )
    return store, created


def customer_refresh_cards(*, customers: QuerySet[Customer]) -> int:
    """Derive card type (A → C after the first repair order), first service and last visit from history.

    One UPDATE with correlated subqueries, so that it scales to an import of 100,000 rows.
    Returns the number of customers updated.
    """
    ros = RepairOrder.objects.filter(customer=OuterRef("pk")).order_by()
    first = ros.values("customer").annotate(at=Min("opened_at")).values("at")
    last = ros.values("customer").annotate(at=Max("opened_at")).values("at")
    return customers.update(
        card_type=Case(When(Exists(ros), then=Value(CardType.C)), default=Value(CardType.A)),
        first_service_at=Subquery(first),
        last_visit_at=Subquery(last),
    )


CARD_REFRESH_CHUNK = 5000


def customer_refresh_cards_by_ids(*, customer_ids: Iterable[int]) -> int:
    """`customer_refresh_cards` for many customers (those of an import): a few thousand ids per
    statement, sent as one array, in id order so that each UPDATE walks the table forwards."""

    ids = sorted(set(customer_ids))
    return sum(
        customer_refresh_cards(customers=Customer.objects.filter(pk__in=ids_in(ids[i : i + CARD_REFRESH_CHUNK])))
        for i in range(0, len(ids), CARD_REFRESH_CHUNK)
    )


# --- DMS import jobs (the upload page runs them under Celery) -------------------------------------


# A running job whose heartbeat is older than this lost its worker. Every batch (1,000 rows, well
# under a second) and every post-import step writes the heartbeat, so ten minutes is never a live run.
IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
# A pending job older than this was probably never queued (broker down at upload time); queueing it
# again is harmless: the claim lets one run through.
IMPORT_PENDING_GRACE = datetime.timedelta(minutes=2)
# A file that kills its worker every time (say, out of memory) is not retried forever.
IMPORT_MAX_ATTEMPTS = 3


def import_job_create(*, user, store: Store | None, upload) -> ImportJob:
    """Store the uploaded file and queue its import once the job row is committed (a broker outage
    leaves the job pending for `import_jobs_requeue`)."""

    job = ImportJob.objects.create(created_by=user, store=store, file=upload, original_name=upload.name[:255])
    enqueue_on_commit("crm.tasks.import_job_run_task", job.pk)
    return job


def import_job_lost_q(stale_before: datetime.datetime) -> Q:
    """A running job whose worker stopped: no heartbeat since `stale_before` (jobs from before the
    heartbeat existed count from their start)."""
    return Q(status=ImportStatus.RUNNING) & (
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at=None, started_at__lt=stale_before)
    )


def import_job_run(*, job_id: int, now: datetime.datetime | None = None) -> ImportJob | None:
    """Run a queued import once: a conditional UPDATE claims it, so a redelivered task does nothing.

    A running job whose worker died (stale heartbeat) is claimed again and the whole file imported
    again — the import is idempotent, so the rows the dead run committed come out "unchanged" — and
    `resumed_at` says so on the upload page. Progress and the heartbeat are written after every
    batch (each batch commits on its own). Returns the job, or None when another run has it.
    """
    now = now or timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id, attempts__lt=IMPORT_MAX_ATTEMPTS)
        .filter(Q(status=ImportStatus.PENDING) | import_job_lost_q(now - IMPORT_STALE_AFTER))
        .update(
            status=ImportStatus.RUNNING,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            started_at=Coalesce("started_at", Value(now)),
            # SET sees the row as it was: a job still "running" is being resumed.
            resumed_at=Case(When(status=ImportStatus.RUNNING, then=Value(now)), default=F("resumed_at")),
        )
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("store", "created_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total, heartbeat_at=timezone.now())

    try:
        result = import_file(
            job.file.path, store=job.store, user=job.created_by, display_name=job.original_name, progress=progress
        )
    except ImportFileError as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, message=str(exc), finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    except Exception:
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=_("导入意外中断，已导入的批次保留；可重新上传同一文件继续（重复导入不会产生重复记录）。"),
            finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db()
    job.summary = result.summary()
    job.status = ImportStatus.DONE
    job.finished_at = timezone.now()
    # Errors first: a row not imported matters more than a value dropped from one that was.
    shown = sorted(result.problems, key=lambda p: p.ignored)[: ImportJob.PROBLEMS_SHOWN]
    job.problems = [
        {"sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.reason, "ignored": p.ignored} for p in shown
    ]
    fields = ["summary", "status", "finished_at", "problems"]
    if result.problems:
        buffer = BytesIO()
        write_error_report(result.problems, buffer)
        job.error_file.save(f"errors-{job.pk}.xlsx", ContentFile(buffer.getvalue()), save=False)
        fields.append("error_file")
    job.save(update_fields=fields)
    return job


def import_jobs_requeue(*, now: datetime.datetime | None = None) -> int:
    """Beat: queue again the import jobs whose task was lost — pending ones never queued (broker
    down at upload) and running ones whose worker died. A job that lost its worker
    IMPORT_MAX_ATTEMPTS times is marked failed. Returns how many were queued; safe to run twice
    (each run of a job is claimed)."""

    now = now or timezone.now()
    lost = import_job_lost_q(now - IMPORT_STALE_AFTER)
    ImportJob.objects.filter(lost, attempts__gte=IMPORT_MAX_ATTEMPTS).update(
        status=ImportStatus.FAILED,
        finished_at=now,
        message=_("导入进程多次中断（%(n)s 次），已停止重试；已导入的批次保留，可重新上传同一文件继续。")
        % {"n": IMPORT_MAX_ATTEMPTS},
    )
    ids = ImportJob.objects.filter(Q(status=ImportStatus.PENDING, created_at__lt=now - IMPORT_PENDING_GRACE) | lost)
    queued = 0
    for job_id in ids.order_by("id").values_list("id", flat=True):
        if not enqueue("crm.tasks.import_job_run_task", job_id):
            break  # the broker is down: the next sweep tries again
        queued += 1
    return queued
