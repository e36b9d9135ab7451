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


# The states a ticket passes through on the happy path, after it is reported.
_HAPPY_PATH = [TicketState.ASSIGNED, TicketState.RECTIFYING, TicketState.SUBMITTED, TicketState.VERIFIED,
               TicketState.CLOSED]


def _drive(state, ticket, *, cancel, steps):
    """Apply the happy path's steps (one per state in _HAPPY_PATH) until ``state`` is reached."""
    if state == TicketState.REPORTED:
        return ticket
    if state == TicketState.CANCELLED:
        return cancel(ticket)
    for reached, step in zip(_HAPPY_PATH, steps, strict=True):
        ticket = step(ticket)
        if state == reached:
            return ticket
    raise ValueError(state)


def _due():
    return timezone.localdate() + dt.timedelta(days=10)


def ticket_in_state(state, *, office, chief, segment, reporter=None, verifier=None):
    """Drive a new ticket through the ticket services (no flow) up to ``state``."""
    verifier = verifier or office

    def submit(ticket):
        services.attachment_add(ticket=ticket, actor=chief, upload=png_upload("after.png"), kind=AttachmentKind.AFTER)
        return services.ticket_submit(ticket=ticket, actor=chief, measures="已清理")

    return _drive(
        state, open_ticket(reporter=reporter or office, segment=segment),
        cancel=lambda t: services.ticket_cancel(ticket=t, actor=office, reason="重复上报"),
        steps=[
            lambda t: services.ticket_assign(ticket=t, actor=office, chief=chief, due_at=_due()),
            lambda t: services.ticket_start(ticket=t, actor=chief),
            submit,
            lambda t: services.ticket_verify(ticket=t, actor=verifier),
            lambda t: services.ticket_close(ticket=t, actor=office),
        ],
    )


def flow_ticket_in_state(state, *, office, chief, segment, reporter=None, verifier=None, **fields):
    """Drive a new ticket through the workflow services (ticket and flow together) up to ``state``."""
    from workflows import services as flow

    verifier = verifier or office
    fields = {"source": "supervisor_feedback", "category": "garbage", "description": "河道内有垃圾"} | fields
    return _drive(
        state, flow.open_ticket(reporter=reporter or office, segment=segment, **fields),
        cancel=lambda t: flow.cancel_ticket(ticket=t, actor=office, reason="重复上报"),
        steps=[
            lambda t: flow.assign_ticket(ticket=t, actor=office, chief=chief, due_at=_due()),
            lambda t: flow.start_rectification(ticket=t, actor=chief),
            lambda t: flow.submit_rectification(
                ticket=t, actor=chief, measures="已清理", after_photos=[png_upload("after.png")]
            ),
            lambda t: flow.verify_ticket(ticket=t, actor=verifier),
            lambda t: flow.close_ticket(ticket=t, actor=office),
        ],
    )
