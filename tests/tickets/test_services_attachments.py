"""tickets.services.attachments: what may be uploaded, by whom, and what is kept of it."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PNG, UserFactory, png_upload, ticket_in_state
from tickets import services
from tickets.errors import TicketPermissionDenied, TicketValidationError
from tickets.models import Attachment, EventKind, TicketEvent, TicketState

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 30
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 30


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def ticket(office, chief, segment, supervisor):
    return ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment, reporter=supervisor)


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("scene.jpg", JPEG, "after", "image/jpeg"),
        ("scene.JPEG", JPEG, "before", "image/jpeg"),
        ("scene.png", PNG, "verification", "image/png"),
        ("scene.gif", GIF, "after", "image/gif"),
        ("scene.webp", WEBP, "after", "image/webp"),
        ("检察建议书.pdf", PDF, "source_document", "application/pdf"),
        ("通知.docx", ZIP, "source_document",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("台账.xlsx", ZIP, "source_document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("汇报.pptx", ZIP, "source_document",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("旧通知.doc", OLE, "source_document", "application/msword"),
        ("旧台账.xls", OLE, "source_document", "application/vnd.ms-excel"),
        ("scan.jpg", JPEG, "source_document", "image/jpeg"),
    ],
)
def test_accepted_files_are_stored_with_their_hash(ticket, chief, name, content, kind, content_type):
    before = TicketEvent.objects.filter(ticket=ticket).count()

    attachment = services.attachment_add(ticket=ticket, actor=chief, upload=upload(name, content), kind=kind)

    attachment = Attachment.objects.get(pk=attachment.pk)
    digest = hashlib.sha256(content).hexdigest()
    assert (attachment.kind, attachment.content_type, attachment.size, attachment.sha256) == (
        kind, content_type, len(content), digest,
    )
    assert (attachment.original_name, attachment.uploaded_by) == (name, chief)
    assert attachment.file.name.startswith(f"attachments/{ticket.pk}/{digest[:16]}-")
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    events = TicketEvent.objects.filter(ticket=ticket).order_by("seq")
    assert events.count() == before + 1
    event = events.last()
    assert (event.kind, event.actor, event.from_state, event.to_state) == (EventKind.ATTACHMENT_ADDED, chief, "", "")
    assert event.payload == {
        "attachment": attachment.pk, "kind": kind, "name": name, "sha256": digest, "size": len(content),
    }


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 20, "source_document"),
        ("note.txt", b"hello", "source_document"),
        ("no_extension", PNG, "before"),
        ("photo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "before"),
        ("photo.png.exe", PNG, "before"),
    ],
    ids=["exe", "txt", "no-extension", "svg", "double-extension"],
)
def test_file_types_outside_the_list_are_refused(ticket, chief, name, content, kind):
    with pytest.raises(TicketValidationError) as excinfo:
        services.attachment_add(ticket=ticket, actor=chief, upload=upload(name, content), kind=kind)
    assert "file" in excinfo.value.errors


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", PNG),
        ("photo.png", JPEG),
        ("letter.pdf", b"<html>not a pdf</html>"),
        ("sheet.xlsx", OLE),
        ("sheet.xls", ZIP),
        ("photo.webp", b"RIFF\x24\x00\x00\x00AVI LIST"),
    ],
)
def test_content_must_match_the_extension(ticket, office, name, content):
    with pytest.raises(TicketValidationError) as excinfo:
        services.attachment_add(ticket=ticket, actor=office, upload=upload(name, content), kind="source_document")
    assert "file" in excinfo.value.errors


@pytest.mark.parametrize("kind", ["before", "after", "verification"])
def test_site_photos_must_be_images(ticket, office, kind):
    with pytest.raises(TicketValidationError) as excinfo:
        services.attachment_add(ticket=ticket, actor=office, upload=upload("scan.pdf", PDF), kind=kind)
    assert "file" in excinfo.value.errors


def test_a_verifier_attaches_verification_photos(ticket, verifier):
    attachment = services.attachment_add(ticket=ticket, actor=verifier, upload=png_upload("check.png"),
                                         kind="verification")
    assert (attachment.kind, attachment.uploaded_by) == ("verification", verifier)


def test_an_unknown_kind_is_refused(ticket, office):
    with pytest.raises(TicketValidationError) as excinfo:
        services.attachment_add(ticket=ticket, actor=office, upload=png_upload(), kind="selfie")
    assert "kind" in excinfo.value.errors


def test_an_empty_file_is_refused(ticket, office):
    with pytest.raises(TicketValidationError) as excinfo:
        services.attachment_add(ticket=ticket, actor=office, upload=upload("empty.png", b""), kind="before")
    assert "file" in excinfo.value.errors


def test_the_size_limit_is_inclusive(ticket, office, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PNG) + 10
    at_limit = PNG + b"\x00" * 10
    services.attachment_add(ticket=ticket, actor=office, upload=upload("ok.png", at_limit), kind="before")
    with pytest.raises(TicketValidationError) as excinfo:
        services.attachment_add(ticket=ticket, actor=office, upload=upload("big.png", at_limit + b"\x00"),
                                kind="before")
    assert "file" in excinfo.value.errors
    assert Attachment.objects.filter(ticket=ticket).count() == 1


def test_a_refused_upload_leaves_no_row_event_or_file(ticket, office, settings):
    events = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(TicketValidationError):
        services.attachment_add(ticket=ticket, actor=office, upload=upload("photo.jpg", PNG), kind="after")
    assert not Attachment.objects.filter(ticket=ticket).exists()
    assert TicketEvent.objects.filter(ticket=ticket).count() == events
    media = settings.MEDIA_ROOT / "attachments"
    assert not media.exists() or not any(media.rglob("*.jpg"))


def test_the_same_photo_twice_is_kept_twice_without_overwriting(ticket, chief):
    first = services.attachment_add(ticket=ticket, actor=chief, upload=png_upload("a.png"), kind="after")
    second = services.attachment_add(ticket=ticket, actor=chief, upload=png_upload("a.png"), kind="after")
    assert first.sha256 == second.sha256
    assert first.file.name != second.file.name
    assert first.file.storage.exists(first.file.name)
    assert second.file.storage.exists(second.file.name)


def test_a_client_path_in_the_name_is_dropped(ticket, chief):
    attachment = services.attachment_add(
        ticket=ticket, actor=chief, upload=upload("C:\\Users\\河长\\..\\现场.png", PNG), kind="after"
    )
    assert attachment.original_name == "现场.png"
    assert attachment.file.name.startswith(f"attachments/{ticket.pk}/")
    assert attachment.file.name.endswith("现场.png")


@pytest.mark.parametrize("actor", ["office", "verifier", "chief", "supervisor"])
def test_the_office_verifiers_the_responsible_chief_and_the_reporter_may_attach(ticket, request, actor):
    user = request.getfixturevalue(actor)
    attachment = services.attachment_add(ticket=ticket, actor=user, upload=png_upload(), kind="before")
    assert attachment.uploaded_by == user


@pytest.mark.parametrize("actor", ["other_chief", "stranger"])
def test_others_may_not_attach(ticket, request, actor):
    user = UserFactory(roles=["social_supervisor"]) if actor == "stranger" else request.getfixturevalue(actor)
    with pytest.raises(TicketPermissionDenied):
        services.attachment_add(ticket=ticket, actor=user, upload=png_upload(), kind="before")
    assert not Attachment.objects.filter(ticket=ticket, kind="before").exists()
