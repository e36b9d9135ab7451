"""Every page of the web UI, for every kind of viewer: 200 where allowed, 403/404 or the login page where not.
And the forms: errors next to the field, a lost race shown with the current state and the input kept."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AppointmentFactory, SegmentFactory, UserFactory, png_upload
from tickets.models import AreaLevel, Attachment, AttachmentKind, EventKind, TicketState
from workflows import services

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"


def open_ticket(reporter, segment, **extra):
    return services.open_ticket(
        reporter=reporter, segment=segment, source="supervisor_feedback", category="garbage",
        description="河道内有垃圾", **extra,
    )


@pytest.fixture
def world(office, supervisor, chief, other_chief, segment):
    township = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="township").chief
    nobody = UserFactory(username="nobody")  # logged in, no role
    reported = open_ticket(supervisor, segment, attachments=[(png_upload("before.png"), AttachmentKind.BEFORE)])
    submitted = open_ticket(supervisor, segment)
    services.assign_ticket(ticket=submitted, actor=office, chief=chief,
                           due_at=timezone.localdate() + dt.timedelta(days=5))
    services.start_rectification(ticket=submitted, actor=chief)
    submitted = services.submit_rectification(ticket=submitted, actor=chief, measures="已清理",
                                              after_photos=[png_upload("after.png")])
    return {
        "users": {"office": office, "supervisor": supervisor, "chief": chief, "township": township,
                  "other_chief": other_chief, "nobody": nobody},
        "reported": reported,
        "submitted": submitted,
        "before_photo": reported.attachments.get(),
    }


def client_for(client, world, who):
    if who != ANONYMOUS:
        client.force_login(world["users"][who])
    return client


def page_urls(world):
    reported, submitted = world["reported"].number, world["submitted"].number
    return {
        "home": reverse("tickets:home"),
        "list": reverse("tickets:list"),
        "list_filtered": reverse("tickets:list") + "?state=submitted&overdue=false&ordering=-due_at&q=垃圾",
        "open": reverse("tickets:open"),
        "detail_reported": reverse("tickets:detail", args=[reported]),
        "detail_submitted": reverse("tickets:detail", args=[submitted]),
        "assign": reverse("tickets:action", args=[reported, "assign"]),
        "cancel": reverse("tickets:action", args=[reported, "cancel"]),
        "verify": reverse("tickets:action", args=[submitted, "verify"]),
        "reject": reverse("tickets:action", args=[submitted, "reject"]),
        "deadline": reverse("tickets:action", args=[submitted, "deadline"]),
        "comment": reverse("tickets:action", args=[submitted, "comment"]),
        "attach": reverse("tickets:action", args=[submitted, "attach"]),
        "photo": reverse("tickets:attachment", args=[world["before_photo"].pk]),
    }


# page -> {viewer: status}; 302 = sent to the login page.
EXPECTED = {
    "home": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 200, "nobody": 200},
    "list": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 200, "nobody": 200},
    "list_filtered": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 200,
                      "nobody": 200},
    "open": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 200, "nobody": 403},
    "detail_reported": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 404,
                        "nobody": 404},
    "detail_submitted": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 404,
                         "nobody": 404},
    "assign": {"office": 200, "supervisor": 403, "chief": 403, "township": 403, "other_chief": 404, "nobody": 404},
    "cancel": {"office": 200, "supervisor": 403, "chief": 403, "township": 403, "other_chief": 404, "nobody": 404},
    "verify": {"office": 200, "supervisor": 403, "chief": 403, "township": 403, "other_chief": 404, "nobody": 404},
    "reject": {"office": 200, "supervisor": 403, "chief": 403, "township": 403, "other_chief": 404, "nobody": 404},
    "deadline": {"office": 200, "supervisor": 403, "chief": 403, "township": 403, "other_chief": 404,
                 "nobody": 404},
    "comment": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 404, "nobody": 404},
    "attach": {"office": 200, "supervisor": 200, "chief": 200, "township": 403, "other_chief": 404, "nobody": 404},
    "photo": {"office": 200, "supervisor": 200, "chief": 200, "township": 200, "other_chief": 404, "nobody": 404},
}
VIEWERS = ["office", "supervisor", "chief", "township", "other_chief", "nobody", ANONYMOUS]


@pytest.mark.parametrize("who", VIEWERS)
def test_every_page_answers_by_role(client, world, who):
    client = client_for(client, world, who)
    urls = page_urls(world)
    for page, expected in EXPECTED.items():
        response = client.get(urls[page])
        if who == ANONYMOUS:
            assert response.status_code == 302, page
            assert response["Location"].startswith(reverse("login")), page
        else:
            assert response.status_code == expected[who], f"{page} as {who}"


def test_unknown_action_and_unknown_ticket_are_404(client, world):
    client = client_for(client, world, "office")
    assert client.get(reverse("tickets:action", args=[world["submitted"].number, "explode"])).status_code == 404
    assert client.get(reverse("tickets:detail", args=["ZG-1999-99999"])).status_code == 404


def test_every_action_form_opens_for_the_office_in_its_state(client, world, office, chief, segment):
    client = client_for(client, world, "office")
    rectifying = open_ticket(office, segment)
    services.assign_ticket(ticket=rectifying, actor=office, chief=chief,
                           due_at=timezone.localdate() + dt.timedelta(days=5))
    verified = open_ticket(office, segment)
    services.assign_ticket(ticket=verified, actor=office, chief=chief,
                           due_at=timezone.localdate() + dt.timedelta(days=5))
    services.start_rectification(ticket=verified, actor=chief)
    services.submit_rectification(ticket=verified, actor=chief, measures="x", after_photos=[png_upload()])
    services.verify_ticket(ticket=verified, actor=office)
    closed = open_ticket(office, segment)
    services.assign_ticket(ticket=closed, actor=office, chief=chief,
                           due_at=timezone.localdate() + dt.timedelta(days=5))
    services.start_rectification(ticket=closed, actor=chief)
    services.submit_rectification(ticket=closed, actor=chief, measures="x", after_photos=[png_upload()])
    services.verify_ticket(ticket=closed, actor=office)
    services.close_ticket(ticket=closed, actor=office)
    for ticket, action in [(rectifying, "reassign"), (verified, "close"), (closed, "reopen")]:
        response = client.get(reverse("tickets:action", args=[ticket.number, action]))
        assert response.status_code == 200, action
        assert 'id="hz-conflict"' not in response.content.decode()


def test_chief_form_pages(client, world, chief, office, segment):
    assigned = open_ticket(office, segment)
    services.assign_ticket(ticket=assigned, actor=office, chief=chief,
                           due_at=timezone.localdate() + dt.timedelta(days=5))
    client = client_for(client, world, "chief")
    assert client.get(reverse("tickets:action", args=[assigned.number, "start"])).status_code == 200
    # Submitting before starting: allowed for this chief, not in this state; the page says why.
    response = client.get(reverse("tickets:action", args=[assigned.number, "submit"]))
    assert response.status_code == 200
    assert "已交办" in response.content.decode() and 'id="hz-conflict"' in response.content.decode()
    # Another chief's ticket on a segment this chief does not hold.
    other = open_ticket(office, SegmentFactory())
    assert client.get(reverse("tickets:action", args=[other.number, "start"])).status_code == 404


def test_attachment_download_headers(client, world):
    client = client_for(client, world, "office")
    response = client.get(reverse("tickets:attachment", args=[world["before_photo"].pk]))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_non_image_attachment_is_a_download(client, world, office):
    pdf = png_upload("letter.pdf")
    pdf.file.seek(0)
    pdf.file.truncate()
    pdf.file.write(b"%PDF-1.4\n%test\n")
    pdf.size = pdf.file.tell()
    pdf.file.seek(0)
    services.add_attachment(ticket=world["reported"], actor=office, upload=pdf, kind=AttachmentKind.SOURCE_DOCUMENT)
    attachment = Attachment.objects.get(original_name="letter.pdf")
    response = client_for(client, world, "office").get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_detail_shows_only_the_viewers_buttons(client, world):
    submitted = world["submitted"]
    url = reverse("tickets:detail", args=[submitted.number])
    office_page = client_for(client, world, "office").get(url).content.decode()
    for action in ["verify", "reject", "deadline", "comment"]:
        assert f'data-action="{action}"' in office_page
    assert 'data-action="submit"' not in office_page
    client.logout()
    township_page = client_for(client, world, "township").get(url).content.decode()
    assert 'data-action="comment"' in township_page
    for action in ["verify", "reject", "submit", "attach", "deadline"]:
        assert f'data-action="{action}"' not in township_page
    # The page shows the fields, the photos by kind, the chart and the audit trail.
    assert "已清理" in office_page  # measures
    assert 'class="hz-photo hz-photo--after"' in office_page
    assert "<svg" in office_page and 'id="verify"' in office_page
    assert office_page.count('class="hz-event ') == submitted.events.count()


def test_validation_error_is_shown_next_to_the_field_and_input_kept(client, world):
    client = client_for(client, world, "office")
    url = reverse("tickets:action", args=[world["reported"].number, "assign"])
    chief = world["users"]["chief"]
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"chief": chief.pk, "due_at": yesterday, "instructions": "请尽快清理"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "due_at" in form.errors  # from the service: the deadline must be in the future
    html = response.content.decode()
    assert "请尽快清理" in html and yesterday in html
    world["reported"].refresh_from_db()
    assert world["reported"].state == TicketState.REPORTED


def test_submit_without_after_photo_is_an_error_on_the_photo_field(client, world, office, chief, segment):
    ticket = open_ticket(office, segment)
    services.assign_ticket(ticket=ticket, actor=office, chief=chief, due_at=timezone.localdate() + dt.timedelta(days=5))
    services.start_rectification(ticket=ticket, actor=chief)
    client = client_for(client, world, "chief")
    response = client.post(reverse("tickets:action", args=[ticket.number, "submit"]), {"measures": "已清理完毕"})
    assert response.status_code == 200
    assert "after_photos" in response.context["form"].errors
    assert "已清理完毕" in response.content.decode()


def test_lost_race_says_so_and_keeps_the_input(client, world, office):
    submitted = world["submitted"]
    client = client_for(client, world, "office")
    url = reverse("tickets:action", args=[submitted.number, "reject"])
    assert client.get(url).status_code == 200
    # Someone else verifies while this user is typing.
    verifier = UserFactory(username="other_verifier", roles=["verifier"])
    services.verify_ticket(ticket=submitted, actor=verifier)
    response = client.post(url, {"reason": "照片不清楚,请补拍"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="hz-conflict"' in html and "已核查" in html
    assert "照片不清楚,请补拍" in html
    submitted.refresh_from_db()
    assert submitted.state == TicketState.VERIFIED and submitted.rejection_count == 0


def test_success_redirects_to_the_ticket_with_a_message(client, world):
    client = client_for(client, world, "office")
    ticket = world["reported"]
    response = client.post(reverse("tickets:action", args=[ticket.number, "comment"]), {"text": "已电话联系上报人"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("tickets:detail", args=[ticket.number])
    assert "已电话联系上报人" in response.content.decode()
    assert ticket.events.filter(kind=EventKind.COMMENTED).count() == 1


def test_post_by_someone_who_may_not_is_403_and_changes_nothing(client, world):
    client = client_for(client, world, "township")
    ticket = world["submitted"]
    response = client.post(reverse("tickets:action", args=[ticket.number, "verify"]), {"comment": "ok"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SUBMITTED


def test_open_form_creates_ticket_with_photo(client, world, segment):
    client = client_for(client, world, "supervisor")
    response = client.post(reverse("tickets:open"), {
        "segment": segment.pk, "source": "supervisor_feedback", "category": "garbage", "severity": "minor",
        "description": "桥下有垃圾堆积", "before_photos": [png_upload("a.png"), png_upload("b.png")],
    })
    assert response.status_code == 302
    number = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    ticket = world["reported"].__class__.objects.get(number=number)
    assert ticket.attachments.filter(kind=AttachmentKind.BEFORE).count() == 2
    assert ticket.reporter == world["users"]["supervisor"]


def test_open_form_service_error_lands_on_its_field(client, world, segment):
    client = client_for(client, world, "supervisor")
    response = client.post(reverse("tickets:open"), {
        "segment": segment.pk, "source": "procuratorate_advice", "category": "garbage", "severity": "minor",
        "description": "检察建议",
    })
    assert response.status_code == 200
    assert "source_reference" in response.context["form"].errors


def test_ticket_list_costs_a_fixed_number_of_queries(client, world, office, segment, django_assert_max_num_queries):
    client = client_for(client, world, "office")
    url = reverse("tickets:list") + "?ordering=-due_at"
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(8):
        open_ticket(office, segment)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["tickets"]) == 10


def test_home_lists_inbox_and_office_queue(client, world):
    office_home = client_for(client, world, "office").get(reverse("tickets:home"))
    assert [t.number for t in office_home.context["queue"]] == [world["reported"].number]
    assert [t.number for t in office_home.context["inbox"]] == [world["submitted"].number]
    client.logout()
    chief_home = client_for(client, world, "chief").get(reverse("tickets:home"))
    assert chief_home.context["inbox"] == [] and chief_home.context["queue"] is None
    client.logout()
    supervisor_home = client_for(client, world, "supervisor").get(reverse("tickets:home"))
    assert {t.number for t in supervisor_home.context["my_reports"]} == {
        world["reported"].number, world["submitted"].number}


def test_home_puts_overdue_first(client, world, office, chief, segment):
    later = open_ticket(office, segment)
    services.assign_ticket(ticket=later, actor=office, chief=chief, due_at=timezone.localdate() + dt.timedelta(days=2))
    late = open_ticket(office, segment)
    services.assign_ticket(ticket=late, actor=office, chief=chief, due_at=timezone.localdate() + dt.timedelta(days=1))
    future = timezone.now() + dt.timedelta(days=1, hours=12)
    with mock.patch("django.utils.timezone.now", return_value=future):
        # Logged in "then", so that session idle limits measure from the same clock.
        response = client_for(client, world, "chief").get(reverse("tickets:home"))
    inbox = response.context["inbox"]
    assert [t.number for t in inbox] == [late.number, later.number]
    assert inbox[0].is_overdue and not inbox[1].is_overdue
    assert "hz-overdue" in response.content.decode()


def test_reassign_moves_the_task_to_the_new_chiefs_inbox(client, world, office, chief, segment):
    ticket = open_ticket(office, segment)
    services.assign_ticket(ticket=ticket, actor=office, chief=chief, due_at=timezone.localdate() + dt.timedelta(days=5))
    new_chief = AppointmentFactory(segment=segment, level=AreaLevel.COUNTY, chief__username="county").chief
    client = client_for(client, world, "office")
    response = client.post(reverse("tickets:action", args=[ticket.number, "reassign"]),
                           {"chief": new_chief.pk, "reason": "原河长调离"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.responsible_chief == new_chief
    assert ticket.events.filter(kind=EventKind.REASSIGNED).exists()
    client.logout()
    inbox = client_for(client, world, "chief").get(reverse("tickets:home")).context["inbox"]
    assert ticket.number not in [t.number for t in inbox]
    client.logout()
    client.force_login(new_chief)
    assert ticket.number in [t.number for t in client.get(reverse("tickets:home")).context["inbox"]]


def test_admin_lists_the_organisation_for_staff(client, db):
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    for model in ["area", "river", "segment", "chiefappointment"]:
        assert client.get(f"/admin/tickets/{model}/").status_code == 200, model
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/auth/group/").status_code == 200
    client.logout()
    client.force_login(UserFactory(username="plain", roles=["chief"]))
    assert client.get("/admin/tickets/area/").status_code == 302


def test_language_switch_to_english(client, world):
    client = client_for(client, world, "office")
    assert "我的待办" in client.get(reverse("tickets:home")).content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("tickets:home")}, follow=True)
    html = response.content.decode()
    assert "My tasks" in html and "我的待办" not in html
    assert 'lang="en"' in html
