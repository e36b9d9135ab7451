"""factory_boy factories for the domain, and helpers that build a ticket in a given state."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tickets import services
from tickets.models import Area, AreaLevel, AttachmentKind, ChiefAppointment, River, Segment, TicketState

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdac\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in extracted])


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"区域{n}")
    code = factory.Sequence(lambda n: f"A{n:04d}")
    level = AreaLevel.VILLAGE


class RiverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = River

    name = factory.Sequence(lambda n: f"河流{n}")
    code = factory.Sequence(lambda n: f"R{n:04d}")


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    river = factory.SubFactory(RiverFactory)
    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"河段{n}")
    code = factory.Sequence(lambda n: f"S{n:04d}")


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChiefAppointment

    chief = factory.SubFactory(UserFactory, roles=["chief"])
    segment = factory.SubFactory(SegmentFactory)
    level = AreaLevel.VILLAGE
    start_date = dt.date(2020, 1, 1)


def open_ticket(*, reporter, segment, **overrides):
    fields = {
        "source": "supervisor_feedback",
        "category": "garbage",
        "description": "河道内有垃圾",
    } | overrides
    return services.ticket_open(reporter=reporter, segment=segment, **fields)


def ticket_in_state(state, *, office, chief, segment, reporter=None, verifier=None):
    """Drive a new ticket through the real services up to ``state``."""
    verifier = verifier or office
    ticket = open_ticket(reporter=reporter or office, segment=segment)
    if state == TicketState.REPORTED:
        return ticket
    if state == TicketState.CANCELLED:
        return services.ticket_cancel(ticket=ticket, actor=office, reason="重复上报")
    due = timezone.localdate() + dt.timedelta(days=10)
    ticket = services.ticket_assign(ticket=ticket, actor=office, chief=chief, due_at=due)
    if state == TicketState.ASSIGNED:
        return ticket
    ticket = services.ticket_start(ticket=ticket, actor=chief)
    if state == TicketState.RECTIFYING:
        return ticket
    services.attachment_add(ticket=ticket, actor=chief, upload=png_upload("after.png"), kind=AttachmentKind.AFTER)
    ticket = services.ticket_submit(ticket=ticket, actor=chief, measures="已清理")
    if state == TicketState.SUBMITTED:
        return ticket
    ticket = services.ticket_verify(ticket=ticket, actor=verifier)
    if state == TicketState.VERIFIED:
        return ticket
    ticket = services.ticket_close(ticket=ticket, actor=office)
    if state == TicketState.CLOSED:
        return ticket
    raise ValueError(state)


def flow_ticket_in_state(state, *, office, chief, segment, reporter=None, verifier=None, **fields):
    """Drive a new ticket through the workflow services (ticket and flow together) up to ``state``."""
    from workflows import services as flow_services

    verifier = verifier or office
    fields = {"source": "supervisor_feedback", "category": "garbage", "description": "河道内有垃圾"} | fields
    ticket = flow_services.open_ticket(reporter=reporter or office, segment=segment, **fields)
    if state == TicketState.REPORTED:
        return ticket
    if state == TicketState.CANCELLED:
        return flow_services.cancel_ticket(ticket=ticket, actor=office, reason="重复上报")
    due = timezone.localdate() + dt.timedelta(days=10)
    ticket = flow_services.assign_ticket(ticket=ticket, actor=office, chief=chief, due_at=due)
    if state == TicketState.ASSIGNED:
        return ticket
    ticket = flow_services.start_rectification(ticket=ticket, actor=chief)
    if state == TicketState.RECTIFYING:
        return ticket
    ticket = flow_services.submit_rectification(
        ticket=ticket, actor=chief, measures="已清理", after_photos=[png_upload("after.png")]
    )
    if state == TicketState.SUBMITTED:
        return ticket
    ticket = flow_services.verify_ticket(ticket=ticket, actor=verifier)
    if state == TicketState.VERIFIED:
        return ticket
    ticket = flow_services.close_ticket(ticket=ticket, actor=office)
    if state == TicketState.CLOSED:
        return ticket
    raise ValueError(state)
