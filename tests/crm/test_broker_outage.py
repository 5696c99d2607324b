"""Redis down (issue 17 item 2): an upload or an SMS is saved, the page answers normally, and the
beat sweep does the work once the broker is back."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.choices import ImportStatus
from crm.models import ImportJob, RepairOrder
from crm.sms import services as sms_services
from crm.sms.choices import SmsStatus
from crm.sms.tasks import sms_flush_queue
from crm.tasks import import_jobs_requeue
from tests.crm.dms_files import ro_row, write_workbook
from tests.faults import broker_down

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_upload_with_broker_down_redirects_and_the_sweep_imports_it(
    client_for, cr_manager, store_a, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(cr_manager)
    path = write_workbook(tmp_path / "dms.xlsx", {"工单": [ro_row(), ro_row(工单号="WX2")]})
    with time_machine.travel(MORNING, tick=False):
        with broker_down() as refused, django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
            response = client.post(
                reverse("crm:import_upload"),
                {"file": SimpleUploadedFile("dms.xlsx", fh.read()), "store": store_a.pk},
            )
        assert refused == ["crm.tasks.import_job_run_task"]
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("crm:import_detail", args=[job.pk])
    assert job.status == ImportStatus.PENDING

    with time_machine.travel(MORNING + datetime.timedelta(minutes=1, seconds=30), tick=False):
        page = client.get(response.url).content.decode()
        assert 'data-testid="import-waiting"' in page
        assert import_jobs_requeue.delay().get() == 0  # still within the grace: on its way, maybe
    with time_machine.travel(MORNING + datetime.timedelta(minutes=3), tick=False):
        assert import_jobs_requeue.delay().get() == 1  # the broker is back: queued and run
        assert import_jobs_requeue.delay().get() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 1 and job.resumed_at is None
    assert RepairOrder.objects.count() == 2


def test_sweep_with_broker_still_down_queues_nothing_and_keeps_the_job(cr_manager, store_a, tmp_path):
    path = write_workbook(tmp_path / "dms.xlsx", {"工单": [ro_row()]})
    with time_machine.travel(MORNING, tick=False):
        job = ImportJob.objects.create(created_by=cr_manager, store=store_a, file=str(path), original_name="dms.xlsx")
    with time_machine.travel(MORNING + datetime.timedelta(minutes=5), tick=False), broker_down() as refused:
        assert import_jobs_requeue() == 0
    assert len(refused) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING


def test_sms_with_broker_down_stays_queued_and_the_flush_sends_it(store_a, django_capture_on_commit_callbacks):
    with time_machine.travel(MORNING, tick=False):
        with broker_down() as refused, django_capture_on_commit_callbacks(execute=True):
            message = sms_services.sms_send(
                store=store_a, customer=None, mobile="13912345678", body="您好", reason="test", related_key="k1"
            )
        assert refused == ["crm.sms.tasks.sms_deliver"]
        message.refresh_from_db()
        assert message.status == SmsStatus.QUEUED
        assert sms_flush_queue.delay().get() == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
