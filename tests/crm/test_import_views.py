"""The upload page: a CR manager uploads, the job runs under Celery, the page shows the summary and
the error report; permissions and store scoping."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from crm.choices import ImportStatus
from crm.models import ImportJob, RepairOrder
from crm.services import import_job_run
from tests.crm.dms_files import ro_row, write_ods, write_workbook
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def upload(client, path, **data):
    with open(path, "rb") as fh:
        file = SimpleUploadedFile(path.name, fh.read())
    return client.post(reverse("crm:import_upload"), {"file": file, **data})


def test_cr_manager_uploads_and_reads_the_summary(
    client_for, cr_manager, store_a, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(cr_manager)
    path = write_workbook(tmp_path / "dms.xlsx", {"工单": [ro_row(), ro_row(工单号="BAD", 手机="1")]})

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path, store=store_a.pk)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("crm:import_detail", args=[job.pk])
    assert job.status == ImportStatus.DONE and job.created_by == cr_manager and job.store == store_a
    assert job.summary["repair_orders"] == {
        "name": "工单", "created": 1, "updated": 0, "unchanged": 0, "errors": 1, "warnings": 0,
    }  # fmt: skip
    assert (job.processed_rows, job.percent) == (2, 100)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "下载错误报告" in page.content.decode()
    report = client.get(reverse("crm:import_errors", args=[job.pk]))
    assert report.status_code == 200
    rows = list(load_workbook(__import__("io").BytesIO(b"".join(report.streaming_content))).active.values)
    assert rows[1][:3] == ("工单", 3, "手机")
    listing = client.get(reverse("crm:import_upload"))
    assert "dms.xlsx" in listing.content.decode()


def test_a_bad_file_fails_the_job_with_its_reason(
    client_for, cr_manager, store_a, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "dms.xlsx"
    path.write_bytes(b"not a workbook")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(cr_manager), path)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "不是有效的 Excel 工作簿" in job.message


def test_the_form_refuses_other_file_types(client_for, cr_manager, tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"x")
    response = upload(client_for(cr_manager), path)
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    assert "只接受" in response.content.decode()


def test_a_job_runs_once_even_when_the_task_is_delivered_twice(cr_manager, store_a, tmp_path):
    path = write_workbook(tmp_path / "dms.xlsx", {"工单": [ro_row()]})
    with open(path, "rb") as fh:
        job = ImportJob.objects.create(
            created_by=cr_manager,
            store=store_a,
            file=SimpleUploadedFile("dms.xlsx", fh.read()),
            original_name="dms.xlsx",
        )
    assert import_job_run(job_id=job.pk).status == ImportStatus.DONE
    assert import_job_run(job_id=job.pk) is None
    assert RepairOrder.objects.count() == 1


def test_agents_may_not_import(client_for, agent):
    assert client_for(agent).get(reverse("crm:import_upload")).status_code == 403


def test_anonymous_users_go_to_login(client):
    response = client.get(reverse("crm:import_upload"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_store_manager_cannot_import_into_another_store(
    client_for, cr_manager, store_a, store_b, tmp_path, django_capture_on_commit_callbacks
):
    path = write_workbook(tmp_path / "dms.xlsx", {"工单": [ro_row(门店="HF")]})
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(cr_manager), path, store=store_b.pk)  # not one of hers: form refuses
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(cr_manager), path)  # no default store; the row names store HF
    job = ImportJob.objects.get()
    assert job.summary["repair_orders"]["errors"] == 1 and RepairOrder.objects.count() == 0


def test_an_import_into_a_store_the_user_cannot_see_changes_nothing(cr_manager, store_b, tmp_path):
    """The service holds the rule, not only the form: a job naming another store fails as a whole."""
    from crm.importing.runner import ImportFileError, import_file

    path = write_workbook(tmp_path / "dms.xlsx", {"工单": [ro_row(门店="")]})
    with pytest.raises(ImportFileError, match="HF"):
        import_file(path, store=store_b, user=cr_manager)
    assert RepairOrder.objects.count() == 0


def test_jobs_of_another_store_are_404(client_for, cr_manager, store_b):
    other = UserFactory(username="hf-cr", roles=["cr_manager"], stores=[store_b])
    job = ImportJob.objects.create(created_by=other, store=store_b, file="imports/x.xlsx", original_name="x.xlsx")
    client = client_for(cr_manager)
    assert client.get(reverse("crm:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("crm:import_errors", args=[job.pk])).status_code == 404
    assert "x.xlsx" not in client.get(reverse("crm:import_upload")).content.decode()


def test_progress_partial_polls_until_done(client_for, cr_manager, store_a):
    job = ImportJob.objects.create(
        created_by=cr_manager, store=store_a, file="imports/x.xlsx", original_name="x.xlsx",
        status=ImportStatus.RUNNING, processed_rows=500, total_rows=2000,
    )  # fmt: skip
    client = client_for(cr_manager)
    partial = client.get(reverse("crm:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "25%" in partial and "<html" not in partial
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, summary={})
    partial = client.get(reverse("crm:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial


def test_upload_page_query_count_does_not_grow_with_jobs(
    client_for, cr_manager, store_a, django_assert_max_num_queries
):
    client = client_for(cr_manager)
    for i in range(3):
        ImportJob.objects.create(created_by=cr_manager, store=store_a, file="f.xlsx", original_name=f"{i}.xlsx")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("crm:import_upload"))
    for i in range(15):
        ImportJob.objects.create(created_by=cr_manager, store=store_a, file="f.xlsx", original_name=f"more{i}.xlsx")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("crm:import_upload"))


def test_the_result_page_lists_errors_and_warnings_apart(
    client_for, cr_manager, store_a, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(cr_manager)
    rows = [ro_row(), ro_row(工单号="BAD", 手机="1"), ro_row(工单号="WARN", 行驶里程=10**20)]
    path = write_ods(tmp_path / "dms.ods", {"工单": rows})  # an .ods from LibreOffice Calc is accepted

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path, store=store_a.pk)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE, job.message
    assert (job.summary["repair_orders"]["created"], job.error_total, job.warning_total) == (2, 1, 1)
    page = client.get(response.url).content.decode()
    assert page.count('data-kind="error"') == 1 and page.count('data-kind="warning"') == 1
    error_row = page[page.index('data-kind="error"') : page.index('data-kind="warning"')]
    assert "手机号无效" in error_row and "未导入" in error_row
    warning_row = page[page.index('data-kind="warning"') :].split("</tr>")[0]
    assert "行驶里程" in warning_row and "超出范围" in warning_row and "已忽略" in warning_row
    report = client.get(reverse("crm:import_errors", args=[job.pk]))
    lines = list(load_workbook(__import__("io").BytesIO(b"".join(report.streaming_content))).active.values)
    assert [line[4] for line in lines[1:]] == ["未导入", "已忽略"]


def test_the_form_accepts_xls_and_ods(client_for, cr_manager, tmp_path):
    for name in ("old.xls", "calc.ods"):
        path = tmp_path / name
        path.write_bytes(b"x")
        response = upload(client_for(cr_manager), path)
        assert response.status_code == 302, name
    assert ImportJob.objects.count() == 2
