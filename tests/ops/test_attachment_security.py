"""Attachments: checked by content and size on upload, served only to those who may see the ticket,
with the content type that was checked. Tickets stay read-only in the admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import AppointmentFactory, UserFactory, open_ticket, png_upload
from tickets.errors import TicketValidationError
from tickets.models import AttachmentKind, Ticket
from tickets.services.attachments import attachment_add


@pytest.fixture
def photo(segment, office, chief):
    ticket = open_ticket(reporter=office, segment=segment)
    return attachment_add(ticket=ticket, actor=office, upload=png_upload("before.png"), kind=AttachmentKind.BEFORE)


def test_an_attachment_is_refused_to_a_user_outside_the_tickets_scope(client, photo, other_chief):
    client.force_login(other_chief)  # a chief of another segment
    response = client.get(reverse("tickets:attachment", args=[photo.pk]))
    assert response.status_code in (403, 404)
    assert not getattr(response, "streaming", False)  # no file content went out


def test_an_attachment_is_refused_to_a_supervisor_who_did_not_report_the_ticket(client, photo):
    client.force_login(UserFactory(username="stranger", roles=["social_supervisor"]))
    assert client.get(reverse("tickets:attachment", args=[photo.pk])).status_code in (403, 404)


def test_an_attachment_needs_a_login(client, photo):
    response = client.get(reverse("tickets:attachment", args=[photo.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_chief_of_the_segment_gets_it_with_its_checked_content_type(client, photo, chief):
    client.force_login(chief)
    response = client.get(reverse("tickets:attachment", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_document_is_a_download_never_rendered_inline(client, segment, office):
    ticket = open_ticket(reporter=office, segment=segment)
    pdf = SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    doc = attachment_add(ticket=ticket, actor=office, upload=pdf, kind=AttachmentKind.SOURCE_DOCUMENT)
    client.force_login(office)
    response = client.get(reverse("tickets:attachment", args=[doc.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),  # a page dressed as a photo
        ("report.pdf", b"MZ\x90\x00 an executable"),
        ("photo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ],
)
def test_uploads_are_checked_by_content_not_only_by_name(segment, office, name, content):
    ticket = open_ticket(reporter=office, segment=segment)
    with pytest.raises(TicketValidationError):
        attachment_add(ticket=ticket, actor=office, upload=SimpleUploadedFile(name, content), kind=AttachmentKind.BEFORE)
    assert not ticket.attachments.exists()


def test_uploads_over_the_size_limit_are_refused(segment, office, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    ticket = open_ticket(reporter=office, segment=segment)
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 2048)
    with pytest.raises(TicketValidationError):
        attachment_add(ticket=ticket, actor=office, upload=big, kind=AttachmentKind.BEFORE)


def test_tickets_and_their_audit_trail_are_read_only_in_the_admin(client, segment, office):
    """No admin action touches a ticket, so none can bypass the audit trail."""
    ticket = open_ticket(reporter=office, segment=segment)
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    change_url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert client.post(change_url, {"description": "改写"}).status_code == 403
    assert client.post(reverse("admin:tickets_ticket_delete", args=[ticket.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    event = ticket.events.first()
    assert client.post(reverse("admin:tickets_ticketevent_change", args=[event.pk]), {}).status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).description == ticket.description
    # A chief elsewhere does not even see the admin.
    client.force_login(AppointmentFactory(chief__username="far_chief").chief)
    assert client.get(change_url).status_code == 302
