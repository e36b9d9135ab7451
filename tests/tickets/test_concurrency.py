"""Two users acting on one ticket at the same moment, on PostgreSQL where the row lock is real.

Both threads wait at a barrier and then call the service; whoever takes the lock first wins, the other
waits for it, sees the new state, and gets a TicketStateConflict. Nothing is written twice.
"""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import AppointmentFactory, UserFactory, open_ticket, ticket_in_state
from tests.racing import race
from tickets import services
from tickets.audit_check import verify_chains
from tickets.errors import TicketStateConflict
from tickets.models import AreaLevel, EventKind, Ticket, TicketEvent, TicketState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = TicketState


def one_won_one_conflicted(outcomes):
    conflicts = [o for o in outcomes if isinstance(o, TicketStateConflict)]
    others = [o for o in outcomes if not isinstance(o, TicketStateConflict)]
    assert len(conflicts) == 1, outcomes
    assert len(others) == 1 and not isinstance(others[0], Exception), outcomes
    return others[0], conflicts[0]


@pytest.fixture
def office2(db):
    return UserFactory(username="office2", roles=["office"])


@pytest.fixture
def deputy(segment):
    return AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="deputy").chief


def make(state, office, chief, segment):
    return ticket_in_state(state, office=office, chief=chief, segment=segment)


def test_two_office_users_verify_at_once(office, office2, chief, segment):
    ticket = make(S.SUBMITTED, office, chief, segment)
    outcomes = race(
        lambda: services.ticket_verify(ticket=ticket, actor=office),
        lambda: services.ticket_verify(ticket=ticket, actor=office2),
    )
    winner, conflict = one_won_one_conflicted(outcomes)
    assert conflict.current_state == S.VERIFIED
    [event] = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.VERIFIED)
    assert Ticket.objects.get(pk=ticket.pk).verified_by == event.actor == winner.verified_by


def test_one_verifies_while_the_other_rejects(office, office2, chief, segment):
    ticket = make(S.SUBMITTED, office, chief, segment)
    outcomes = race(
        lambda: services.ticket_verify(ticket=ticket, actor=office),
        lambda: services.ticket_reject(ticket=ticket, actor=office2, reason="不合格"),
    )
    winner, conflict = one_won_one_conflicted(outcomes)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.state == winner.state == conflict.current_state
    decisions = TicketEvent.objects.filter(ticket=ticket, kind__in=[EventKind.VERIFIED, EventKind.REJECTED])
    assert decisions.count() == 1
    assert ticket.rejection_count == (1 if ticket.state == S.RECTIFYING else 0)


def test_two_office_users_close_at_once(office, office2, chief, segment):
    ticket = make(S.VERIFIED, office, chief, segment)
    outcomes = race(
        lambda: services.ticket_close(ticket=ticket, actor=office),
        lambda: services.ticket_close(ticket=ticket, actor=office2),
    )
    one_won_one_conflicted(outcomes)
    assert Ticket.objects.get(pk=ticket.pk).state == S.CLOSED
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOSED).count() == 1


def test_two_office_users_assign_to_different_chiefs_at_once(office, office2, chief, deputy, segment):
    ticket = open_ticket(reporter=office, segment=segment)
    due = timezone.localdate() + dt.timedelta(days=10)
    outcomes = race(
        lambda: services.ticket_assign(ticket=ticket, actor=office, chief=chief, due_at=due),
        lambda: services.ticket_assign(ticket=ticket, actor=office2, chief=deputy, due_at=due),
    )
    winner, conflict = one_won_one_conflicted(outcomes)
    assert conflict.current_state == S.ASSIGNED
    [event] = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED)
    assert Ticket.objects.get(pk=ticket.pk).responsible_chief_id == event.payload["chief"]
    assert event.payload["chief"] == winner.responsible_chief_id


def test_two_office_users_cancel_at_once(office, office2, segment):
    ticket = open_ticket(reporter=office, segment=segment)
    outcomes = race(
        lambda: services.ticket_cancel(ticket=ticket, actor=office, reason="重复上报"),
        lambda: services.ticket_cancel(ticket=ticket, actor=office2, reason="不属实"),
    )
    one_won_one_conflicted(outcomes)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CANCELLED).count() == 1


def test_simultaneous_comments_both_land_in_one_unbroken_chain(office, office2, segment):
    ticket = open_ticket(reporter=office, segment=segment)
    outcomes = race(
        lambda: services.ticket_comment(ticket=ticket, actor=office, text="甲"),
        lambda: services.ticket_comment(ticket=ticket, actor=office2, text="乙"),
    )
    assert all(isinstance(o, TicketEvent) for o in outcomes), outcomes
    assert sorted(o.seq for o in outcomes) == [2, 3]
    assert list(verify_chains()) == []


def test_simultaneous_openings_get_consecutive_numbers(office, office2, segment):
    outcomes = race(
        lambda: open_ticket(reporter=office, segment=segment),
        lambda: open_ticket(reporter=office2, segment=segment),
    )
    assert all(isinstance(o, Ticket) for o in outcomes), outcomes
    year = outcomes[0].number.split("-")[1]
    assert sorted(o.number for o in outcomes) == [f"ZG-{year}-00001", f"ZG-{year}-00002"]
