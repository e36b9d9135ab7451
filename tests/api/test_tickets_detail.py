import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PNG, png_upload
from tickets.models import Attachment, TicketState

pytestmark = pytest.mark.django_db


def test_detail_has_audit_trail_and_attachments(make_ticket, office, chief, api_for):
    ticket = make_ticket(TicketState.SUBMITTED)
    for user in (office, chief):
        response = api_for(user).get(f"/api/tickets/{ticket.number}/")
        assert response.status_code == 200
        data = response.json()
        assert [e["kind"] for e in data["events"]] == [
            "created", "assigned", "started", "attachment_added", "submitted"
        ]
        assert data["events"][1]["actor"]["id"] == office.pk
        assert [(a["kind"], a["original_name"]) for a in data["attachments"]] == [("after", "after.png")]
    assert api_for(office).get(f"/api/tickets/{ticket.number}/").json()["allowed_actions"] == [
        "verify", "reject", "deadline", "comment"
    ]
    assert api_for(chief).get(f"/api/tickets/{ticket.number}/").json()["allowed_actions"] == ["comment"]


@pytest.mark.parametrize("who", ["stranger", "nobody", "supervisor"])
def test_ticket_outside_scope_is_404(who, make_ticket, api_for, request):
    ticket = make_ticket()
    response = api_for(request.getfixturevalue(who)).get(f"/api/tickets/{ticket.number}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("number", ["ZG-2099-99999", "no such", "a\x00b", "%00", "../x"])
def test_unknown_number_is_404(number, office, api_for):
    assert api_for(office).get(f"/api/tickets/{number}/").status_code == 404


def test_upload_by_the_chief_and_download(make_ticket, chief, stranger, api_for):
    ticket = make_ticket(TicketState.RECTIFYING)
    client = api_for(chief)
    response = client.post(f"/api/tickets/{ticket.number}/attachments/",
                           {"file": png_upload("现场.png"), "kind": "after"}, format="multipart")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kind"] == "after" and data["content_type"] == "image/png" and data["size"] == len(PNG)
    download = client.get(data["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert api_for(stranger).get(data["download_url"]).status_code == 404


def test_upload_outside_scope_is_404_and_without_right_is_403(make_ticket, segment, stranger, api_for):
    from tests.factories import AppointmentFactory

    ticket = make_ticket(TicketState.RECTIFYING)
    url = f"/api/tickets/{ticket.number}/attachments/"
    assert api_for(stranger).post(url, {"file": png_upload(), "kind": "after"}).status_code == 404
    # The township chief of the same segment sees the ticket but is not the one rectifying it.
    township = AppointmentFactory(segment=segment, level="township").chief
    response = api_for(township).post(url, {"file": png_upload(), "kind": "after"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("upload", "kind", "field"),
    [
        (SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream"), "after", "file"),
        (SimpleUploadedFile("fake.png", b"%PDF-1.4 not a png", content_type="image/png"), "after", "file"),
        (SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n", content_type="application/pdf"), "after", "file"),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), "after", "file"),
        (None, "after", "file"),
        (png_upload(), "selfie", "kind"),
    ],
)
def test_upload_validation_names_the_field(upload, kind, field, make_ticket, chief, api_for):
    ticket = make_ticket(TicketState.RECTIFYING)
    body = {"kind": kind} | ({"file": upload} if upload is not None else {})
    response = api_for(chief).post(f"/api/tickets/{ticket.number}/attachments/", body, format="multipart")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Attachment.objects.filter(ticket=ticket, kind="after").exclude(original_name="after.png").exists()


def test_upload_too_large(make_ticket, chief, api_for, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    ticket = make_ticket(TicketState.RECTIFYING)
    response = api_for(chief).post(f"/api/tickets/{ticket.number}/attachments/",
                                   {"file": png_upload(), "kind": "after"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_upload_as_json_is_415(make_ticket, chief, api_for):
    ticket = make_ticket(TicketState.RECTIFYING)
    response = api_for(chief).post(f"/api/tickets/{ticket.number}/attachments/", {"kind": "after"}, format="json")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
