"""An import's result as shown: done, done with errors, or failed — a run whose every row failed is no success."""

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.choices import ImportOutcome, ImportStatus, import_outcome
from crm.models import ImportJob
from tests.crm.dms_files import ro_row, write_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _sheet(**counts) -> dict:
    return {"repair_orders": {"name": "工单", "created": 0, "updated": 0, "unchanged": 0, "errors": 0, **counts}}


@pytest.mark.parametrize(
    ("status", "summary", "expected"),
    [
        (ImportStatus.DONE, _sheet(created=3), ImportOutcome.DONE),
        (ImportStatus.DONE, _sheet(unchanged=2), ImportOutcome.DONE),
        (ImportStatus.DONE, _sheet(updated=1, errors=2), ImportOutcome.DONE_WITH_ERRORS),
        (ImportStatus.DONE, _sheet(errors=5), ImportOutcome.FAILED),
        (ImportStatus.DONE, {}, ImportOutcome.DONE),  # an empty file: nothing failed
        (ImportStatus.FAILED, {}, ImportOutcome.FAILED),
        (ImportStatus.RUNNING, _sheet(errors=5), ImportOutcome.RUNNING),
        (ImportStatus.PENDING, {}, ImportOutcome.PENDING),
    ],
)
def test_the_outcome_rule(status, summary, expected):
    assert import_outcome(status=status, summary=summary) == expected


def _one(tree, testid: str):
    found = tree.xpath(f'//*[@data-testid="{testid}"]')
    return found[0] if found else None


def _classes(element) -> list[str]:
    return element.get("class", "").split()


def _upload_and_open(client, path, store, capture):
    with open(path, "rb") as fh, capture(execute=True):
        response = client.post(
            reverse("crm:import_upload"), {"file": SimpleUploadedFile(path.name, fh.read()), "store": store.pk}
        )
    job = ImportJob.objects.get()
    page = lxml.html.fromstring(client.get(response.url).content)
    listing = lxml.html.fromstring(client.get(reverse("crm:import_upload")).content)
    return job, page, listing


def test_a_run_whose_every_row_failed_shows_failed_in_red_with_the_counts(
    client_for, cr_manager, store_a, tmp_path, django_capture_on_commit_callbacks
):
    path = write_workbook(tmp_path / "bad.xlsx", {"工单": [ro_row(工单号=f"BAD{i}", 手机="1") for i in range(3)]})
    job, page, listing = _upload_and_open(client_for(cr_manager), path, store_a, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE and job.error_total == 3 and job.imported_total == 0
    badge = _one(page, "job-status")
    assert (
        badge.get("data-outcome") == "failed" and "text-bg-danger" in _classes(badge) and badge.text_content() == "失败"
    )
    assert "bg-danger" in _classes(page.xpath('//div[contains(@class, "progress-bar")]')[0])
    assert "bg-success" not in _classes(page.xpath('//div[contains(@class, "progress-bar")]')[0])
    assert "没有任何行导入：3 行有错误" in _one(page, "import-counts").text_content()
    assert _one(page, "error-report") is not None
    assert "全部行导入成功" not in page.text_content()
    assert _one(listing, "job-status").get("data-outcome") == "failed"


def test_a_run_with_some_failed_rows_is_done_with_errors(
    client_for, cr_manager, store_a, tmp_path, django_capture_on_commit_callbacks
):
    path = write_workbook(tmp_path / "mixed.xlsx", {"工单": [ro_row(), ro_row(工单号="BAD", 手机="1")]})
    _job, page, _listing = _upload_and_open(client_for(cr_manager), path, store_a, django_capture_on_commit_callbacks)
    badge = _one(page, "job-status")
    assert badge.get("data-outcome") == "partial" and "text-bg-warning" in _classes(badge)
    assert "bg-warning" in _classes(page.xpath('//div[contains(@class, "progress-bar")]')[0])
    assert "已导入 1 行，1 行有错误未导入" in _one(page, "import-counts").text_content()


def test_a_clean_run_is_done_in_green(client_for, cr_manager, store_a, tmp_path, django_capture_on_commit_callbacks):
    path = write_workbook(tmp_path / "good.xlsx", {"工单": [ro_row()]})
    _job, page, _listing = _upload_and_open(client_for(cr_manager), path, store_a, django_capture_on_commit_callbacks)
    badge = _one(page, "job-status")
    assert (
        badge.get("data-outcome") == "done"
        and "text-bg-success" in _classes(badge)
        and badge.text_content() == "已完成"
    )
    assert "已导入 1 行" in _one(page, "import-counts").text_content()
    assert "全部行导入成功" in page.text_content()
