import datetime as dt

import pytest

from deadlines import selectors
from deadlines.models import Suspension, TicketClock
from deadlines.services import ticket_resume, ticket_suspend
from deadlines.sweep import run_sweep
from tickets.errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError
from tickets.models import Ticket

from .conftest import assign, end_of, kinds, local


@pytest.fixture
def ticket(clock, office, chief, segment):
    clock.set(local(2026, 9, 21, 10))
    # Due Fri 9 Oct 2026, just after the National Day holiday.
    return assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 10, 9))


def test_suspend_and_resume_move_the_deadline_by_the_paused_working_days(clock, ticket, office):
    clock.set(local(2026, 9, 28, 15))
    ticket_suspend(ticket=ticket, actor=office, reason="等待水利局出具鉴定意见")
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at is None
    clock.set(local(2026, 10, 9, 10))
    ticket = ticket_resume(ticket=ticket, actor=office)
    # Paused Sep 28, 29, 30 and Oct 8 (Oct 1-7 is the holiday): four working days.
    # From Oct 9: Sat Oct 10 (make-up day), Oct 12, 13, 14.
    assert ticket.due_at == end_of(2026, 10, 14)
    payload = kinds(ticket, "resumed")[0][1]
    assert payload["paused_working_days"] == 4
    assert payload["old_due_at"].startswith("2026-10-09T15:59:59")
    assert payload["due_at"].startswith("2026-10-14T15:59:59")
    assert Suspension.objects.get(ticket=ticket).paused_working_days == 4
    assert kinds(ticket, "suspended")[0][1]["reason"] == "等待水利局出具鉴定意见"


def test_a_paused_ticket_does_not_escalate_and_is_not_overdue(clock, ticket, office):
    ticket_suspend(ticket=ticket, actor=office, reason="等待第三方")
    clock.set(local(2026, 10, 20, 10))
    assert run_sweep().fired == []
    row = selectors.annotate_overdue(Ticket.objects.filter(pk=ticket.pk)).get()
    assert (row.is_overdue, row.overdue_days) == (False, 0)
    ticket = ticket_resume(ticket=ticket, actor=office)
    # Paused Sep 21 – Oct 19: Sep 21-24 (Sep 25-27 is Mid-Autumn), Sep 28-30, Oct 8-10, 12-16, 19:
    # 16 working days. Oct 9 + 16 working days (Sat Oct 10 among them) = Oct 30.
    assert ticket.due_at == end_of(2026, 10, 30)
    assert run_sweep().fired == []
    clock.set(local(2026, 11, 3, 9))
    assert [kind for _n, kind, _s in run_sweep().fired] == ["escalation"]


def test_a_same_day_pause_moves_nothing(clock, ticket, office):
    ticket_suspend(ticket=ticket, actor=office, reason="等待第三方")
    clock.advance(hours=3)
    assert ticket_resume(ticket=ticket, actor=office).due_at == end_of(2026, 10, 9)
    assert TicketClock.objects.get(pk=ticket.pk).generation == 1


def test_rules(clock, ticket, office, chief):
    with pytest.raises(TicketPermissionDenied):
        ticket_suspend(ticket=ticket, actor=chief, reason="x")
    with pytest.raises(TicketValidationError):
        ticket_suspend(ticket=ticket, actor=office, reason=" ")
    with pytest.raises(TicketStateConflict):
        ticket_resume(ticket=ticket, actor=office)
    ticket_suspend(ticket=ticket, actor=office, reason="等待第三方")
    with pytest.raises(TicketStateConflict):
        ticket_suspend(ticket=ticket, actor=office, reason="再次")
    assert selectors.open_suspension(ticket).reason == "等待第三方"
