"""A killed worker strands no upload (issue 17 item 1): the import's process is SIGKILLed half-way,
the job stays "running" with a heartbeat that stops moving, and the beat sweep has it claimed again
and imported to the end; the upload page says what happened."""

import datetime
import multiprocessing
import os
import signal
import time

import pytest
import time_machine
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from crm.choices import ImportStatus
from crm.models import ImportJob, RepairOrder
from crm.services import IMPORT_MAX_ATTEMPTS, IMPORT_STALE_AFTER, import_job_run
from crm.tasks import import_jobs_requeue
from tests.crm.dms_files import ro_row, write_workbook
from tests.factories import make_vin

ROWS = 3000  # three batches of 1,000


def _import_slowly(job_id: int) -> None:
    """The worker process: the real import, each batch followed by a pause so that the test can
    kill it after the first batch committed."""
    from crm.importing import runner

    flush = runner._flush

    def slow_flush(*args, **kwargs):
        done = flush(*args, **kwargs)
        time.sleep(0.5)
        return done

    runner._flush = slow_flush
    import_job_run(job_id=job_id)
    os._exit(0)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkilled_import_is_resumed_by_the_sweep_and_finished(settings, client_for, cr_manager, store_a, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # the workbook is written there
    path = write_workbook(
        tmp_path / "dms.xlsx", {"工单": [ro_row(工单号=f"WX{i:05d}", 车架号=make_vin()) for i in range(ROWS)]}
    )
    job = ImportJob.objects.create(created_by=cr_manager, store=store_a, file=path.name, original_name="dms.xlsx")

    connections.close_all()  # the child opens its own connection; never share a socket across fork
    worker = multiprocessing.get_context("fork").Process(target=_import_slowly, args=(job.pk,))
    worker.start()
    deadline = time.monotonic() + 120
    while ImportJob.objects.get(pk=job.pk).processed_rows < 1000:
        assert worker.is_alive() and time.monotonic() < deadline, "the import never got past its first batch"
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    assert worker.exitcode == -signal.SIGKILL

    job.refresh_from_db()
    committed = RepairOrder.objects.count()
    assert job.status == ImportStatus.RUNNING and 1000 <= committed < ROWS
    # The redelivered message (or any second run) right away finds a live-looking job and leaves it.
    assert import_job_run(job_id=job.pk) is None
    assert import_jobs_requeue() == 0

    resumed_at = job.heartbeat_at + IMPORT_STALE_AFTER + datetime.timedelta(minutes=1)
    with time_machine.travel(resumed_at, tick=False):
        assert import_jobs_requeue.delay().get() == 1  # queued, and run (eager) to the end
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 2 and job.resumed_at == resumed_at
    assert RepairOrder.objects.count() == ROWS
    counts = job.summary["repair_orders"]
    assert (counts["created"], counts["unchanged"], counts["errors"]) == (ROWS - committed, committed, 0)
    page = client_for(cr_manager).get(reverse("crm:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-resumed"' in page
    assert timezone.localtime(resumed_at).strftime("%H:%M") in page


def _stale_job(user, store, tmp_path, **fields) -> ImportJob:
    path = write_workbook(tmp_path / "dms.xlsx", {"工单": [ro_row()]})
    return ImportJob.objects.create(
        created_by=user, store=store, file=path.name, original_name="dms.xlsx", status=ImportStatus.RUNNING, **fields
    )


@pytest.mark.django_db
def test_a_job_whose_worker_died_too_often_is_failed_not_retried(settings, cr_manager, store_a, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # the workbook is written there
    old = timezone.now() - IMPORT_STALE_AFTER - datetime.timedelta(minutes=1)
    job = _stale_job(cr_manager, store_a, tmp_path, heartbeat_at=old, started_at=old, attempts=IMPORT_MAX_ATTEMPTS)
    assert import_job_run(job_id=job.pk) is None
    assert import_jobs_requeue() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "多次中断" in job.message


@pytest.mark.django_db
def test_a_running_job_from_before_the_heartbeat_counts_from_its_start(settings, cr_manager, store_a, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # the workbook is written there
    old = timezone.now() - IMPORT_STALE_AFTER - datetime.timedelta(minutes=1)
    job = _stale_job(cr_manager, store_a, tmp_path, heartbeat_at=None, started_at=old, attempts=1)
    assert import_job_run(job_id=job.pk).status == ImportStatus.DONE
    job.refresh_from_db()
    assert job.resumed_at is not None and job.attempts == 2
