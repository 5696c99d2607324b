"""Complaint attachments: refused by type, content and size; stored privately; downloaded only by
users who may see the case; upload and delete audited."""

import pathlib
import posixpath
import re
import struct
import zlib

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings
from django.urls import reverse

from complaints.attachments import attachment_upload
from complaints.choices import Action
from complaints.models import CaseAttachment
from complaints.services import CaseError
from config.urls import MEDIA_PATTERN, dev_media, media_path_is_private
from crm.choices import Role
from tests.factories import UserFactory


def tiny_png() -> bytes:
    """A valid 1×1 PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AMR = b"#!AMR\n" + b"\x3c" * 64


@pytest.fixture(autouse=True)
def private_media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def case(make_case):
    return make_case()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(("name", "content"), [("letter.pdf", PDF), ("photo.PNG", tiny_png()), ("call.amr", AMR)])
def test_accepted_files_are_kept_privately_with_the_sniffed_type(case, cr_manager, private_media, name, content):
    attachment = attachment_upload(case=case, user=cr_manager, upload=upload(name, content), note="客户提供")
    assert attachment.original_name == name
    assert attachment.content_type in {"application/pdf", "image/png", "audio/amr"}
    assert attachment.file.name.startswith(f"private/complaints/{case.store_id}/")
    assert name not in attachment.file.name  # a random name on disk, never the uploader's
    assert (private_media / attachment.file.name).read_bytes() == content
    event = case.events.get(action=Action.ATTACH)
    assert name in event.memo and event.actor == cr_manager


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 60, "不支持的文件类型"),
        ("page.html", b"<html><script>alert(1)</script></html>", "不支持的文件类型"),
        ("noext", PDF, "不支持的文件类型"),
        ("renamed.jpg", b"MZ\x90\x00" + b"\x00" * 60, "内容与扩展名"),
        ("fake.pdf", tiny_png(), "内容与扩展名"),
        ("empty.png", b"", "空"),
    ],
)
def test_refused_by_type_or_content(case, cr_manager, private_media, name, content, message):
    with pytest.raises(CaseError, match=message):
        attachment_upload(case=case, user=cr_manager, upload=upload(name, content))
    assert not CaseAttachment.objects.exists()
    assert not case.events.filter(action=Action.ATTACH).exists()
    assert not (private_media / "private").exists()


@override_settings(COMPLAINT_ATTACHMENT_MAX_MB=1)
def test_refused_by_size(case, cr_manager, client_for):
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(CaseError, match="文件过大"):
        attachment_upload(case=case, user=cr_manager, upload=upload("big.pdf", big))
    response = client_for(cr_manager).post(
        reverse("complaints:attachment_upload", args=[case.pk]), {"file": upload("big.pdf", big)}
    )
    assert response.status_code == 400
    assert "文件过大" in response.text
    assert not CaseAttachment.objects.exists()


def test_upload_download_and_delete_through_the_case_page(
    case, cr_manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cr_manager)
    response = client.post(
        reverse("complaints:attachment_upload", args=[case.pk]),
        {"file": upload("现场照片.png", tiny_png()), "note": "漆面划痕"},
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get()
    page = client.get(reverse("complaints:case_detail", args=[case.pk]))
    assert "现场照片.png" in page.text and 'data-testid="attachment"' in page.text
    download = client.get(reverse("complaints:attachment_download", args=[case.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == tiny_png()
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert LogEntry.objects.get_for_object(attachment).filter(action=LogEntry.Action.CREATE).exists()

    path = pathlib.Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row is gone for good
        response = client.post(reverse("complaints:attachment_delete", args=[case.pk, attachment.pk]))
    assert response.status_code == 302
    assert not CaseAttachment.objects.exists()
    assert case.events.filter(action=Action.DETACH, memo__contains="现场照片.png").exists()
    assert LogEntry.objects.filter(
        content_type__model="caseattachment", object_pk=str(attachment.pk), action=LogEntry.Action.DELETE
    ).exists()
    assert not path.exists()


def test_another_stores_user_cannot_download_or_delete(case, cr_manager, client_for, store_b, agent_b):
    attachment = attachment_upload(case=case, user=cr_manager, upload=upload("letter.pdf", PDF))
    other_manager = UserFactory(roles=[Role.CR_MANAGER], stores=[store_b])
    for user in (agent_b, other_manager):
        client = client_for(user)
        assert client.get(reverse("complaints:attachment_download", args=[case.pk, attachment.pk])).status_code == 404
        assert client.post(reverse("complaints:attachment_delete", args=[case.pk, attachment.pk])).status_code == 404
        assert (
            client.post(
                reverse("complaints:attachment_upload", args=[case.pk]), {"file": upload("x.pdf", PDF)}
            ).status_code
            == 404
        )
    # and the id of the attachment under another case id is a 404 too
    assert (
        client_for(cr_manager)
        .get(reverse("complaints:attachment_download", args=[case.pk + 999, attachment.pk]))
        .status_code
        == 404
    )
    assert CaseAttachment.objects.count() == 1


@pytest.mark.parametrize("prefix", ["private/", "/private/", "./private/", "imports/../private/", "private/./"])
def test_the_media_route_does_not_serve_private_files(case, cr_manager, private_media, rf, settings, prefix):
    """The development media route (config.urls, DEBUG only) leaves MEDIA_ROOT/private out, however
    the path is spelt: `serve` normalises media//private/… and media/./private/… to the same file."""
    attachment = attachment_upload(case=case, user=cr_manager, upload=upload("letter.pdf", PDF))
    public = private_media / "imports" / "x.txt"
    public.parent.mkdir(parents=True)
    public.write_bytes(b"public")
    settings.DEBUG = True

    def get(path):
        match = re.match(MEDIA_PATTERN, f"media/{path}")  # the route's own pattern takes the path
        try:
            return dev_media(rf.get(f"/media/{path}"), match["path"])
        except Http404:
            return None

    path = f"{prefix}{attachment.file.name.removeprefix('private/')}"
    assert (private_media / posixpath.normpath(path).lstrip("/")).is_file()  # the file serve would open
    assert get(path) is None and media_path_is_private(path)
    served = get("imports/x.txt")  # the control: the route serves other media
    assert served.status_code == 200 and b"".join(served.streaming_content) == b"public"
    settings.DEBUG = False
    assert get("imports/x.txt") is None


def test_only_the_uploader_or_the_cr_manager_deletes(case, cr_manager, agent, client_for, store_a):
    attachment = attachment_upload(case=case, user=cr_manager, upload=upload("letter.pdf", PDF))
    client = client_for(agent)
    client.post(reverse("complaints:attachment_delete", args=[case.pk, attachment.pk]))
    assert CaseAttachment.objects.filter(pk=attachment.pk).exists()
    own = attachment_upload(case=case, user=agent, upload=upload("mine.pdf", PDF))
    client.post(reverse("complaints:attachment_delete", args=[case.pk, own.pk]))
    assert not CaseAttachment.objects.filter(pk=own.pk).exists()


def test_case_page_query_count_is_constant_in_attachments(case, cr_manager, client_for, django_assert_max_num_queries):
    client = client_for(cr_manager)
    url = reverse("complaints:case_detail", args=[case.pk])
    attachment_upload(case=case, user=cr_manager, upload=upload("a.pdf", PDF))
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for i in range(6):
        attachment_upload(case=case, user=cr_manager, upload=upload(f"p{i}.png", tiny_png()))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.text.count('data-testid="attachment"') == 7


def test_the_private_folder_is_private_in_any_case(settings, tmp_path):
    """On macOS and Windows media/PRIVATE/… opens media/private/…: refused whatever the case."""
    settings.MEDIA_ROOT = str(tmp_path)
    for path in ("PRIVATE/recordings/a.wav", "Private/x.pdf", "./pRiVaTe/x", "private"):
        assert media_path_is_private(path), path
    for path in ("privately/x.txt", "imports/private/x.txt", "imports/x.txt"):
        assert not media_path_is_private(path), path
