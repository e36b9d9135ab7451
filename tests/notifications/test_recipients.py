"""Rules → recipients, for every event kind, with the default rules the migration creates."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification, NotificationRule, Recipient
from notifications.recipients import resolve
from tests.factories import AppointmentFactory, UserFactory, ticket_in_state
from tickets import services
from tickets.models import EventKind, TicketState


@pytest.fixture
def superior(segment):
    return AppointmentFactory(segment=segment, level="township", chief__username="superior").chief


@pytest.fixture
def ticket(office, chief, segment, supervisor, superior):
    return ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment, reporter=supervisor)


def record(ticket, kind, actor=None, payload=None):
    with transaction.atomic():
        return services.record_event(ticket=ticket, kind=kind, actor=actor, payload=payload or {})


def got(event):
    return dict(Notification.objects.filter(event=event).values_list("recipient__username", "reason"))


DUE = (timezone.now() + dt.timedelta(days=3)).isoformat()
# kind -> (actor fixture name or None, payload builder, expected {username: reason})
EXPECTED = {
    EventKind.CREATED: ("supervisor", None, {"office": "office"}),
    EventKind.ASSIGNED: ("office", None, {"chief": "responsible_chief"}),
    EventKind.STARTED: ("chief", None, {}),
    EventKind.SUBMITTED: ("chief", None, {"office": "office", "verifier": "verifiers"}),
    EventKind.REJECTED: ("verifier", lambda u: {"reason": "照片不清"}, {"chief": "responsible_chief"}),
    EventKind.VERIFIED: ("verifier", None, {"chief": "responsible_chief", "supervisor": "reporter"}),
    EventKind.CLOSED: ("office", None, {"chief": "responsible_chief", "supervisor": "reporter"}),
    EventKind.CANCELLED: ("office", lambda u: {"reason": "重复"}, {"supervisor": "reporter"}),
    EventKind.REOPENED: ("office", lambda u: {"reason": "复发"}, {"chief": "responsible_chief"}),
    EventKind.REASSIGNED: (
        "office",
        lambda u: {"from_chief": u["chief"].pk, "to_chief": u["superior"].pk, "to_chief_name": "superior"},
        {"chief": "previous_chief", "superior": "new_chief"},
    ),
    EventKind.DEADLINE_CHANGED: ("office", lambda u: {"due_at": DUE}, {"chief": "responsible_chief"}),
    EventKind.ATTACHMENT_ADDED: ("chief", None, {}),
    EventKind.COMMENTED: ("office", None, {}),
    EventKind.REMINDED: (None, lambda u: {"days_before": 1, "due_at": DUE}, {"chief": "responsible_chief"}),
    EventKind.ESCALATED: (
        None,
        lambda u: {"level": 1, "due_at": DUE, "audience": [u["superior"].pk, u["office"].pk]},
        {"chief": "responsible_chief", "superior": "audience", "office": "audience"},
    ),
    EventKind.EXTENSION_REQUESTED: ("chief", lambda u: {"request": 1}, {"office": "office"}),
    EventKind.EXTENSION_APPROVED: ("office", lambda u: {"request": 1}, {"chief": "responsible_chief"}),
    EventKind.EXTENSION_REFUSED: ("office", lambda u: {"request": 1}, {"chief": "responsible_chief"}),
    EventKind.SUSPENDED: ("office", None, {"chief": "responsible_chief"}),
    EventKind.RESUMED: ("office", None, {"chief": "responsible_chief"}),
    EventKind.ADMIN_CHANGED: ("office", None, {}),
}


def test_every_event_kind_has_an_expectation():
    assert set(EXPECTED) == set(EventKind.values)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_default_rules_name_the_right_people(kind, ticket, office, chief, verifier, supervisor, superior):
    users = {"office": office, "chief": chief, "verifier": verifier, "supervisor": supervisor, "superior": superior}
    actor_name, payload, expected = EXPECTED[kind]
    event = record(ticket, kind, actor=users.get(actor_name), payload=payload(users) if payload else None)
    assert got(event) == expected


def test_the_lifecycle_through_the_services_notifies_each_step(office, chief, segment, supervisor, verifier):
    ticket = ticket_in_state(
        TicketState.CLOSED, office=office, chief=chief, segment=segment, reporter=supervisor, verifier=verifier
    )
    rows = Notification.objects.filter(ticket=ticket).order_by("event__seq", "pk")
    assert [(n.kind, n.recipient.username) for n in rows] == [
        ("created", "office"),
        ("assigned", "chief"),
        ("submitted", "office"),
        ("submitted", "verifier"),
        ("verified", "chief"),
        ("verified", "supervisor"),
        ("closed", "chief"),
        ("closed", "supervisor"),
    ]


def test_the_superior_spec_follows_the_ladder(ticket, superior, office):
    NotificationRule.objects.create(event_kind=EventKind.REMINDED, recipient=Recipient.SUPERIOR)
    event = record(ticket, EventKind.REMINDED, payload={"days_before": 0, "due_at": DUE})
    assert got(event) == {"chief": "responsible_chief", "superior": "superior"}


def test_rules_edited_by_the_office_take_effect(ticket, office):
    NotificationRule.objects.filter(event_kind=EventKind.REMINDED).update(is_active=False)
    NotificationRule.objects.create(event_kind=EventKind.REMINDED, recipient=Recipient.OFFICE)
    event = record(ticket, EventKind.REMINDED, payload={"days_before": 2, "due_at": DUE})
    assert got(event) == {"office": "office"}


def test_nobody_hears_twice_nor_about_their_own_action(ticket, office, chief, superior):
    # The chief is named by two specs (responsible chief, audience) and hears once, as responsible chief.
    event = record(ticket, EventKind.ESCALATED, payload={"level": 2, "audience": [chief.pk, chief.pk, office.pk]})
    assert got(event) == {"chief": "responsible_chief", "office": "audience"}
    # The office itself is both actor and audience: it is left out.
    event = record(ticket, EventKind.ESCALATED, actor=office, payload={"audience": [office.pk, "junk", 999999]})
    assert got(event) == {"chief": "responsible_chief"}


def test_inactive_people_are_skipped(ticket, office, chief):
    UserFactory(username="office2", roles=["office"], is_active=False)
    event = record(ticket, EventKind.EXTENSION_REQUESTED, actor=chief, payload={"request": 1})
    assert got(event) == {"office": "office"}


def test_a_vacant_superior_post_names_nobody(office, chief, segment):
    ticket = ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    NotificationRule.objects.create(event_kind=EventKind.REMINDED, recipient=Recipient.SUPERIOR)
    event = record(ticket, EventKind.REMINDED, payload={"days_before": 1})
    assert [(r.user.username, r.reason) for r in resolve(event)] == [("chief", "responsible_chief")]
