"""The upload page's import runs in a real Celery worker on Redis, as in production."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.choices import ImportStatus
from crm.models import ImportJob, RepairOrder
from tests.crm.dms_files import ro_row, write_workbook
from tests.factories import make_vin

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_upload_is_imported_by_the_worker(real_celery_worker, settings, client_for, cr_manager, store_a, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    rows = [ro_row(工单号=f"WX{i:05d}", 车架号=make_vin()) for i in range(1500)]
    path = write_workbook(tmp_path / "dms.xlsx", {"工单": rows})
    client = client_for(cr_manager)

    with open(path, "rb") as fh:
        response = client.post(
            reverse("crm:import_upload"), {"file": SimpleUploadedFile("dms.xlsx", fh.read()), "store": store_a.pk}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302

    deadline = time.monotonic() + 60
    seen_progress = set()
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen_progress.add(job.processed_rows)
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            break
        time.sleep(0.05)
    assert job.status == ImportStatus.DONE, job.message
    assert job.summary["repair_orders"]["created"] == 1500
    assert RepairOrder.objects.count() == 1500
    assert job.processed_rows == 1500
    assert "1500" in client.get(reverse("crm:import_detail", args=[job.pk])).content.decode()
