"""tickets.services.opening: who may open a ticket, what it must contain, and its number."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory, open_ticket, png_upload
from tickets import services
from tickets.errors import TicketPermissionDenied, TicketValidationError
from tickets.models import Attachment, EventKind, Ticket, TicketCounter, TicketEvent, TicketState

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^ZG-(\d{4})-(\d{5})$")


def at(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_opening_records_a_reported_ticket_and_its_created_event(supervisor, segment):
    ticket = open_ticket(reporter=supervisor, segment=segment, description="  河道内有垃圾  ", address=" 桥下 ")

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.state == TicketState.REPORTED
    assert ticket.reporter == supervisor
    assert ticket.description == "河道内有垃圾"
    assert ticket.address == "桥下"
    [event] = TicketEvent.objects.filter(ticket=ticket)
    assert (event.seq, event.kind, event.actor, event.from_state, event.to_state) == (
        1, EventKind.CREATED, supervisor, "", TicketState.REPORTED,
    )
    assert event.payload["segment"] == segment.pk
    assert event.payload["source"] == "supervisor_feedback"


@pytest.mark.parametrize("role", ["office", "chief", "social_supervisor", "congress_supervisor",
                                  "procuratorate_liaison", "provincial_office"])
def test_these_roles_may_open(role, segment):
    reporter = UserFactory(roles=[role])
    assert open_ticket(reporter=reporter, segment=segment).state == TicketState.REPORTED


@pytest.mark.parametrize("role", [None, "verifier", "office_head", "general_chief"])
def test_others_may_not_open(role, segment):
    reporter = UserFactory(roles=[role] if role else [])
    with pytest.raises(TicketPermissionDenied):
        open_ticket(reporter=reporter, segment=segment)
    assert not Ticket.objects.exists()


def test_an_anonymous_user_may_not_open(segment):
    with pytest.raises(TicketPermissionDenied):
        open_ticket(reporter=AnonymousUser(), segment=segment)


def test_an_inactive_supervisor_may_not_open(segment):
    reporter = UserFactory(roles=["social_supervisor"], is_active=False)
    with pytest.raises(TicketPermissionDenied):
        open_ticket(reporter=reporter, segment=segment)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": "rumour"}, "source"),
        ({"category": "noise"}, "category"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"description": "   "}, "description"),
        ({"source": "procuratorate_advice"}, "source_reference"),
        ({"source": "provincial_notice", "source_reference": "  "}, "source_reference"),
        ({"received_on": dt.date(2026, 6, 2)}, "received_on"),
        ({"latitude": "34.5"}, "longitude"),
        ({"longitude": "109.1"}, "latitude"),
        ({"latitude": "91", "longitude": "109.1"}, "latitude"),
        ({"latitude": "34.5", "longitude": "-180.5"}, "longitude"),
        ({"latitude": "北纬34度", "longitude": "109.1"}, "latitude"),
        ({"latitude": "nan", "longitude": "109.1"}, "latitude"),
        ({"latitude": "34.5", "longitude": "Infinity"}, "longitude"),
    ],
)
def test_invalid_input_is_refused_field_by_field(office, segment, overrides, field):
    with (
        mock.patch("django.utils.timezone.now", return_value=at(2026, 6, 1, 2)),
        pytest.raises(TicketValidationError) as excinfo,
    ):
        open_ticket(reporter=office, segment=segment, **overrides)
    assert field in excinfo.value.errors
    assert not Ticket.objects.exists()
    assert not TicketCounter.objects.exists()


def test_a_missing_segment_is_refused(office):
    with pytest.raises(TicketValidationError) as excinfo:
        open_ticket(reporter=office, segment=None)
    assert "segment" in excinfo.value.errors


def test_coordinates_are_stored_to_six_decimals(office, segment):
    ticket = open_ticket(reporter=office, segment=segment, latitude="34.5123456", longitude=109.0345)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.latitude == Decimal("34.512346")
    assert ticket.longitude == Decimal("109.034500")


def test_received_on_defaults_to_the_local_day(office, segment):
    # 17:00 UTC on 31 May is already 1 June in Asia/Shanghai.
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 5, 31, 17)):
        ticket = open_ticket(reporter=office, segment=segment)
    assert Ticket.objects.get(pk=ticket.pk).received_on == dt.date(2026, 6, 1)


class TestNumbers:
    def test_numbers_are_zg_year_five_digits_and_consecutive(self, office, segment):
        with mock.patch("django.utils.timezone.now", return_value=at(2026, 4, 1, 2)):
            numbers = [open_ticket(reporter=office, segment=segment).number for _ in range(3)]
        assert numbers == ["ZG-2026-00001", "ZG-2026-00002", "ZG-2026-00003"]
        assert all(NUMBER.match(n) for n in numbers)

    def test_each_year_starts_again_at_one(self, office, segment):
        with mock.patch("django.utils.timezone.now", return_value=at(2026, 4, 1, 2)):
            open_ticket(reporter=office, segment=segment)
            open_ticket(reporter=office, segment=segment)
        with mock.patch("django.utils.timezone.now", return_value=at(2027, 2, 1, 2)):
            first_of_2027 = open_ticket(reporter=office, segment=segment)
        assert first_of_2027.number == "ZG-2027-00001"
        assert dict(TicketCounter.objects.values_list("year", "last")) == {2026: 2, 2027: 1}

    def test_the_year_is_the_local_year(self, office, segment):
        # 16:30 UTC on 31 December is New Year's Day in Asia/Shanghai.
        with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 31, 16, 30)):
            ticket = open_ticket(reporter=office, segment=segment)
        assert ticket.number == "ZG-2027-00001"

    def test_a_refused_opening_uses_no_number(self, office, segment):
        first = open_ticket(reporter=office, segment=segment)
        fake_photo = SimpleUploadedFile("before.png", b"not a png at all", content_type="image/png")
        with pytest.raises(TicketValidationError):
            open_ticket(reporter=office, segment=segment, attachments=[(fake_photo, "before")])
        second = open_ticket(reporter=office, segment=segment)
        year = first.number.split("-")[1]
        assert (first.number, second.number) == (f"ZG-{year}-00001", f"ZG-{year}-00002")
        assert Ticket.objects.count() == 2


def test_attachments_given_at_opening_are_stored_after_the_created_event(supervisor, segment):
    ticket = open_ticket(
        reporter=supervisor, segment=segment, attachments=[(png_upload("scene.png"), "before")]
    )
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.ATTACHMENT_ADDED]
    [attachment] = Attachment.objects.filter(ticket=ticket)
    assert (attachment.kind, attachment.original_name, attachment.uploaded_by) == ("before", "scene.png", supervisor)


def test_a_bad_attachment_at_opening_leaves_nothing_behind(supervisor, segment):
    with pytest.raises(TicketValidationError):
        services.ticket_open(
            reporter=supervisor, segment=segment, source="public_report", category="garbage",
            description="垃圾", attachments=[(png_upload("ok.png"), "before"), (png_upload("virus.exe"), "before")],
        )
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()
    assert not Attachment.objects.exists()
