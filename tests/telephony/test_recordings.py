"""Recordings: fetched with size and type limits, uploaded on the call page, served only to users
who may see the call, deleted after the store's retention period (twice is once)."""

import datetime as dt
import importlib
import shutil

import pytest
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, reverse

import config.urls
from complaints.choices import Category, Channel
from complaints.services import case_receive
from crm.choices import Role
from telephony.choices import Direction, RecordingState
from telephony.models import CallRecord, StoreRecordingSettings
from telephony.recordings import recording_fetch, recordings_purge_expired
from telephony.tasks import recordings_purge_expired as purge_task
from tests.factories import UserFactory
from tests.telephony.conftest import EVENTS_URL, NOW

pytestmark = pytest.mark.django_db

MP3 = b"ID3\x03\x00\x00\x00" + b"\x00" * 2000


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield tmp_path / "media"
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def ended(post_event, task, django_capture_on_commit_callbacks):
    """`ended(call_id, url)`: the CTI's hang-up with a recording URL; the fetch runs on commit."""

    def _ended(call_id, url):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_event(
                call_id=call_id, event="ended", direction="out", extension="8001", number=task.customer.mobile,
                duration=42, recording_url=url,
            )  # fmt: skip
        assert response.status_code == 200
        return CallRecord.objects.get(call_id=call_id)

    return _ended


# --- the fetch task ---------------------------------------------------------------------------------


def test_recording_is_fetched_and_stored_under_media_root(ended, extension, audio_server, media_root):
    audio_server.route("/r/1.mp3", body=MP3)
    record = ended("r1", audio_server.url("/r/1.mp3"))  # the task ran eagerly on commit
    record.refresh_from_db()
    assert record.recording_state == RecordingState.STORED
    assert record.recording_size == len(MP3) and record.recording_content_type == "audio/mpeg"
    path = media_root / record.recording.name
    assert path.read_bytes() == MP3
    assert record.recording.name.startswith("private/recordings/")
    assert recording_fetch(record_id=record.pk) is False  # twice: nothing more


def test_a_file_over_the_limit_is_refused(ended, extension, audio_server, settings, media_root):
    settings.RECORDING_MAX_BYTES = 1000
    audio_server.route("/big.mp3", body=MP3)
    record = ended("r2", audio_server.url("/big.mp3"))
    record.refresh_from_db()
    assert record.recording_state == RecordingState.FAILED and "too large" in record.recording_error
    assert not record.recording
    assert not media_root.exists() or not any(media_root.rglob("*.mp3"))


def test_a_file_with_no_length_is_cut_by_reading(ended, extension, audio_server, settings):
    settings.RECORDING_MAX_BYTES = 1000
    audio_server.route("/liar.mp3", body=MP3, declared_length="omit")
    record = ended("r3", audio_server.url("/liar.mp3"))
    record.refresh_from_db()
    assert record.recording_state == RecordingState.FAILED and "over 1000 bytes" in record.recording_error


def test_a_non_audio_answer_is_refused(ended, extension, audio_server):
    audio_server.route("/page", content_type="text/html", body=b"<html>login</html>")
    record = ended("r4", audio_server.url("/page"))
    record.refresh_from_db()
    assert record.recording_state == RecordingState.FAILED and "not audio" in record.recording_error


def test_an_http_error_is_recorded(ended, extension, audio_server):
    record = ended("r5", audio_server.url("/missing.mp3"))
    record.refresh_from_db()
    assert record.recording_state == RecordingState.FAILED and "404" in record.recording_error


def test_octet_stream_with_an_audio_extension_is_taken(ended, extension, audio_server):
    audio_server.route("/r/6.amr", content_type="application/octet-stream", body=b"#!AMR\n" + b"\x00" * 100)
    record = ended("r6", audio_server.url("/r/6.amr"))
    record.refresh_from_db()
    assert record.recording_state == RecordingState.STORED and record.recording_content_type == "audio/amr"


# --- upload -----------------------------------------------------------------------------------------


def test_agent_uploads_a_recording_on_the_call_page(agent, task, client_for):
    client = client_for(agent)
    upload = SimpleUploadedFile("call.mp3", MP3, content_type="audio/mpeg")
    response = client.post(reverse("telephony:upload", args=["callback", task.pk]), {"recording": upload})
    assert response.status_code == 302
    record = CallRecord.objects.get()
    assert record.callback_task == task and record.agent == agent and record.recording_state == RecordingState.STORED
    page = client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert reverse("telephony:recording", args=[record.pk]) in page and "<audio" in page


def test_upload_of_a_non_audio_file_is_refused(agent, task, client_for):
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    client_for(agent).post(reverse("telephony:upload", args=["callback", task.pk]), {"recording": upload})
    assert not CallRecord.objects.exists()


def test_upload_to_another_stores_task_is_404(agent_b, task, client_for):
    upload = SimpleUploadedFile("call.mp3", MP3, content_type="audio/mpeg")
    response = client_for(agent_b).post(reverse("telephony:upload", args=["callback", task.pk]), {"recording": upload})
    assert response.status_code == 404


def test_upload_through_the_event_endpoint(client, extension, task, cti_auth):
    payload = {"call_id": "up1", "event": "ended", "extension": "8001", "number": task.customer.mobile, "duration": 5}
    upload = SimpleUploadedFile("x.wav", b"RIFF" + b"\x00" * 100, content_type="audio/wav")
    body = encode_multipart(BOUNDARY, {**payload, "recording": upload})
    assert client.generic("POST", EVENTS_URL, body, content_type=MULTIPART_CONTENT).status_code == 401  # no token
    response = client.generic("POST", EVENTS_URL, body, content_type=MULTIPART_CONTENT, **cti_auth)
    assert response.status_code == 200, response.content
    record = CallRecord.objects.get()
    assert record.recording_state == RecordingState.STORED and record.recording_content_type == "audio/wav"


def _post_ended_with_file(client, task, call_id: str, upload, auth: dict):
    payload = {"call_id": call_id, "event": "ended", "extension": "8001", "number": task.customer.mobile}
    body = encode_multipart(BOUNDARY, {**payload, "duration": 42, "recording": upload})
    return client.generic("POST", EVENTS_URL, body, content_type=MULTIPART_CONTENT, **auth)


@pytest.mark.parametrize(
    ("filename", "content", "content_type", "reason"),
    [
        ("big.mp3", MP3, "audio/mpeg", "录音文件超过 1000\xa0字节"),
        ("notes.txt", b"hello", "text/plain", "录音必须是音频文件"),
    ],
)
def test_a_refused_file_does_not_cost_the_ended_event(
    client, extension, task, settings, media_root, frozen, filename, content, content_type, reason, cti_auth
):
    settings.RECORDING_MAX_BYTES = 1000
    settings.LANGUAGE_CODE = "zh-hans"
    response = _post_ended_with_file(
        client, task, "rej1", SimpleUploadedFile(filename, content, content_type), cti_auth
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["changed"] is True and answer["recording"] == RecordingState.REJECTED
    assert reason in answer["recording_error"]
    record = CallRecord.objects.get(call_id="rej1")
    assert record.ended_at == NOW and record.duration_seconds == 42 and record.answered_at is not None
    assert record.recording_state == RecordingState.REJECTED and reason in record.recording_error
    assert not record.recording and not any(media_root.rglob("*.*"))
    again = _post_ended_with_file(client, task, "rej1", SimpleUploadedFile(filename, content, content_type), cti_auth)
    assert again.status_code == 200 and again.json()["changed"] is False  # a retry changes nothing


@pytest.mark.parametrize(("limit", "shown"), [(512 * 1024, "512.0\xa0KB"), (3 * 1024 * 1024 // 2, "1.5\xa0MB")])
def test_the_size_limit_is_said_in_kb_or_mb_never_0_mb(agent, task, client_for, settings, limit, shown):
    settings.RECORDING_MAX_BYTES = limit
    settings.LANGUAGE_CODE = "zh-hans"
    upload = SimpleUploadedFile("call.mp3", b"ID3" + b"\x00" * limit, content_type="audio/mpeg")
    response = client_for(agent).post(
        reverse("telephony:upload", args=["callback", task.pk]), {"recording": upload}, follow=True
    )
    said = [str(m) for m in response.context["messages"]]  # filesizeformat: a no-break space
    assert said == [f"录音文件超过 {shown}。"]


# --- who may listen ---------------------------------------------------------------------------------


@pytest.fixture
def stored_call(agent, task, client_for):
    upload = SimpleUploadedFile("call.mp3", MP3, content_type="audio/mpeg")
    client_for(agent).post(reverse("telephony:upload", args=["callback", task.pk]), {"recording": upload})
    return CallRecord.objects.get()


def test_agent_of_the_store_hears_the_recording(stored_call, agent, client_for):
    response = client_for(agent).get(reverse("telephony:recording", args=[stored_call.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == MP3
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_stores_agent_gets_404(stored_call, agent_b, client_for):
    assert client_for(agent_b).get(reverse("telephony:recording", args=[stored_call.pk])).status_code == 404


def test_a_consultant_hears_only_calls_of_a_complaint_they_may_see(stored_call, agent, store_a, task, client_for):
    advisor = UserFactory(username="sam", roles=[Role.CONSULTANT], stores=[store_a])
    url = reverse("telephony:recording", args=[stored_call.pk])
    assert client_for(advisor).get(url).status_code == 404
    case = case_receive(
        user=agent, store=store_a, customer=task.customer, channel=Channel.PHONE,
        category=Category.REPAIR_QUALITY, content="回访中客户投诉", handler=advisor,
    )  # fmt: skip
    CallRecord.objects.filter(pk=stored_call.pk).update(started_at=case.received_at + dt.timedelta(minutes=1))
    assert client_for(advisor).get(url).status_code == 200
    page = client_for(advisor).get(reverse("complaints:case_detail", args=[case.pk])).content.decode()
    assert url in page


@pytest.fixture
def debug_urls(settings):
    """config.urls as the development server has it (DEBUG on: MEDIA_URL served but private/)."""
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_recordings_are_private_even_on_the_development_server(stored_call, agent, client_for, media_root, debug_urls):
    (media_root / "public.txt").write_text("served")
    client = client_for(agent)
    assert client.get("/media/public.txt").status_code == 200  # DEBUG's media serving is on
    assert stored_call.recording.name.startswith("private/recordings/")
    assert (media_root / stored_call.recording.name).read_bytes() == MP3
    assert client.get("/media/" + stored_call.recording.name).status_code == 404
    assert client.get("/media/" + stored_call.recording.name.removeprefix("private/")).status_code == 404
    heard = client.get(reverse("telephony:recording", args=[stored_call.pk]))
    assert heard.status_code == 200 and b"".join(heard.streaming_content) == MP3


def test_the_migration_moves_older_recordings_under_private(stored_call, media_root, debug_urls, client):
    old = "recordings/1/2026/03/call-1.mp3"
    (media_root / old).parent.mkdir(parents=True)
    (media_root / old).write_bytes(MP3)
    CallRecord.objects.filter(pk=stored_call.pk).update(recording=old)
    assert client.get("/media/" + old).status_code == 200  # where they were: anyone could fetch them
    migration = importlib.import_module("telephony.migrations.0003_recordings_private")
    migration.move_recordings(django_apps, None)
    migration.move_recordings(django_apps, None)  # twice: nothing more
    stored_call.refresh_from_db()
    assert stored_call.recording.name == "private/" + old
    assert (media_root / "private" / old).read_bytes() == MP3 and not (media_root / old).exists()
    assert client.get("/media/" + old).status_code == 404


def test_customer_timeline_plays_the_recording(stored_call, agent, client_for, task):
    page = client_for(agent).get(reverse("crm:customer_detail", args=[task.customer_id])).content.decode()
    assert reverse("telephony:recording", args=[stored_call.pk]) in page


# --- retention --------------------------------------------------------------------------------------


def test_retention_beat_deletes_expired_files_once_with_an_audit_entry(stored_call, store_a, media_root, frozen):
    StoreRecordingSettings.objects.create(store=store_a, retention_months=6)
    path = media_root / stored_call.recording.name
    assert path.exists()
    CallRecord.objects.filter(pk=stored_call.pk).update(started_at=NOW - dt.timedelta(days=190))
    recent = CallRecord.objects.create(
        call_id="recent", direction=Direction.OUTBOUND, store=store_a, started_at=NOW - dt.timedelta(days=100),
        recording_state=RecordingState.STORED, recording="recordings/x.mp3",
    )  # fmt: skip
    assert purge_task() == 1
    assert purge_task() == 0  # twice: nothing more
    stored_call.refresh_from_db()
    assert stored_call.recording_state == RecordingState.DELETED and not stored_call.recording
    assert not path.exists()
    recent.refresh_from_db()
    assert recent.recording_state == RecordingState.STORED
    entries = LogEntry.objects.filter(object_pk=str(stored_call.pk), content_type__model="callrecord")
    assert entries.count() == 1
    assert entries.get().additional_data["reason"] == "retention"


def test_default_retention_is_24_months(stored_call, frozen):
    CallRecord.objects.filter(pk=stored_call.pk).update(started_at=NOW - dt.timedelta(days=700))
    assert recordings_purge_expired() == 0
    CallRecord.objects.filter(pk=stored_call.pk).update(started_at=NOW - dt.timedelta(days=740))
    assert recordings_purge_expired() == 1


def test_retention_settings_page(cr_manager, store_a, client_for):
    client = client_for(cr_manager)
    assert client.get(reverse("telephony:settings")).status_code == 200
    client.post(reverse("telephony:settings"), {"store": store_a.pk, f"s{store_a.pk}-retention_months": "12"})
    assert StoreRecordingSettings.objects.get(store=store_a).retention_months == 12


def test_a_backlog_is_purged_in_one_run_batch_after_batch(store_a, media_root, frozen, monkeypatch):
    monkeypatch.setattr("telephony.recordings.PURGE_BATCH", 2)
    for n in range(5):
        path = media_root / f"private/recordings/old-{n}.mp3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(MP3)
        CallRecord.objects.create(
            call_id=f"old-{n}", direction=Direction.OUTBOUND, store=store_a, started_at=NOW - dt.timedelta(days=800),
            recording_state=RecordingState.STORED, recording=f"private/recordings/old-{n}.mp3",
        )  # fmt: skip
    assert purge_task() == 5  # one night, three batches
    assert purge_task() == 0
    assert not CallRecord.objects.filter(recording_state=RecordingState.STORED).exists()
    assert not any(media_root.rglob("*.mp3"))
    assert LogEntry.objects.filter(content_type__model="callrecord").count() == 5


def test_a_change_of_the_retention_period_is_in_the_audit_log(cr_manager, store_a, client_for):
    StoreRecordingSettings.objects.create(store=store_a, retention_months=24)
    client_for(cr_manager).post(
        reverse("telephony:settings"), {"store": store_a.pk, f"s{store_a.pk}-retention_months": "6"}
    )
    entry = LogEntry.objects.get(content_type__model="storerecordingsettings", action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["retention_months"] == ["24", "6"]
    assert entry.actor == cr_manager


def test_agent_may_not_change_retention(agent, client_for):
    assert client_for(agent).get(reverse("telephony:settings")).status_code == 403


def _listen_queries(client, url, status: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == status
    return len(queries)


def test_a_consultant_is_answered_in_the_same_queries_whatever_the_number_of_cases(
    stored_call, agent, store_a, task, client_for
):
    advisor = UserFactory(username="sam", roles=[Role.CONSULTANT], stores=[store_a])
    client, url = client_for(advisor), reverse("telephony:recording", args=[stored_call.pk])

    def receive(content):
        return case_receive(
            user=agent, store=store_a, customer=task.customer, channel=Channel.PHONE,
            category=Category.REPAIR_QUALITY, content=content, handler=advisor,
        )  # fmt: skip

    first = receive("第一次投诉")
    # A call from before any case: every case is looked at, and none lets the consultant listen.
    CallRecord.objects.filter(pk=stored_call.pk).update(started_at=first.received_at - dt.timedelta(days=1))
    one_case = _listen_queries(client, url, 404)
    receive("第二次投诉")
    receive("第三次投诉")
    assert _listen_queries(client, url, 404) == one_case
    CallRecord.objects.filter(pk=stored_call.pk).update(started_at=first.received_at + dt.timedelta(minutes=1))
    assert client.get(url).status_code == 200


def test_the_migration_runs_one_transaction_per_row():
    migration = importlib.import_module("telephony.migrations.0003_recordings_private")
    assert migration.Migration.atomic is False
    assert [op.atomic for op in migration.Migration.operations] == [False]


def test_a_rerun_of_the_migration_adopts_the_private_copy_of_a_file_already_moved(stored_call, media_root):
    """A failed earlier run: the file was copied under private/ and the old one deleted, but the
    row's update rolled back. The rerun points the row at the copy instead of skipping it."""
    old = "recordings/1/2026/03/call-2.mp3"
    (media_root / "private" / old).parent.mkdir(parents=True)
    (media_root / "private" / old).write_bytes(MP3)
    CallRecord.objects.filter(pk=stored_call.pk).update(recording=old)
    importlib.import_module("telephony.migrations.0003_recordings_private").move_recordings(django_apps, None)
    stored_call.refresh_from_db()
    assert stored_call.recording.name == "private/" + old
    assert stored_call.recording.read() == MP3


def test_a_rerun_copies_again_over_a_private_copy_cut_short(stored_call, media_root):
    old = "recordings/1/2026/03/call-3.mp3"
    (media_root / old).parent.mkdir(parents=True)
    (media_root / old).write_bytes(MP3)
    (media_root / "private" / old).parent.mkdir(parents=True)
    (media_root / "private" / old).write_bytes(MP3[:3])  # the copy of a run that stopped mid-file
    CallRecord.objects.filter(pk=stored_call.pk).update(recording=old)
    importlib.import_module("telephony.migrations.0003_recordings_private").move_recordings(django_apps, None)
    stored_call.refresh_from_db()
    assert stored_call.recording.name == "private/" + old
    assert (media_root / "private" / old).read_bytes() == MP3 and not (media_root / old).exists()
    assert sorted(p.name for p in (media_root / "private" / old).parent.iterdir()) == ["call-3.mp3"]
