"""Writes of the customer files. Views, commands and tasks call these; they hold the rules."""

import logging
from collections.abc import Iterable
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Exists, Max, Min, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.choices import CardType, DepartmentKind, ImportStatus
from crm.importing.runner import ImportFileError, import_file, write_error_report
from crm.models import Customer, Department, ImportJob, RepairOrder, Store

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
    from crm.importing.bulk import ids_in

    ids = sorted(set(customer_ids))
    return sum(
        customer_refresh_cards(customers=Customer.objects.filter(pk__in=ids_in(ids[i : i + CARD_REFRESH_CHUNK])))
        for i in range(0, len(ids), CARD_REFRESH_CHUNK)
    )


# --- DMS import jobs (the upload page runs them under Celery) -------------------------------------


def import_job_create(*, user, store: Store | None, upload) -> ImportJob:
    """Store the uploaded file and queue its import once the job row is committed."""
    from crm.tasks import import_job_run_task  # the task module imports this one

    job = ImportJob.objects.create(created_by=user, store=store, file=upload, original_name=upload.name[:255])
    transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued import once: a conditional UPDATE claims it, so a redelivered task does nothing.

    Progress is written after every batch (each batch commits on its own), so the upload page's
    progress bar moves while the import runs. Returns the job, or None when another run has it.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("store", "created_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

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
