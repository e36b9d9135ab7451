"""Two sweeps at once (two beat processes, an overlapping tick) fire each reminder and level once."""

import datetime as dt

import pytest

from deadlines.models import AlertKind, FiredAlert, TicketClock
from deadlines.sweep import run_sweep
from tests.racing import race
from tickets.models import TicketEvent

from .conftest import assign, local


def test_a_step_already_recorded_does_not_fire_again(clock, office, chief, segment):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    clock_row = TicketClock.objects.get(pk=ticket.pk)
    # As if another sweep had fired level 1 and this one still saw the old next_fire_at.
    FiredAlert.objects.create(ticket=ticket, generation=clock_row.generation, kind=AlertKind.ESCALATION, step=1,
                              due_at=ticket.due_at, fired_at=clock())
    clock.set(local(2026, 11, 4, 9))
    assert run_sweep().fired == []
    assert not TicketEvent.objects.filter(ticket=ticket, kind="escalated").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_fire_each_alert_once(clock, office, chief, segment):
    tickets = [
        assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3)) for _ in range(12)
    ]
    # Nov 3 + 15 working days has passed: three levels due on every ticket.
    clock.set(local(2026, 11, 30, 9))
    outcomes = race(run_sweep, run_sweep)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    results = [o for o in outcomes if not isinstance(o, Exception)]
    assert errors == []
    assert all(not r.failed for r in results)
    fired = [item for r in results for item in r.fired]
    # Whatever the split between the two sweeps, together they fired 3 levels per ticket, once each.
    assert sorted(fired) == sorted((t.number, "escalation", level) for t in tickets for level in (1, 2, 3))
    for ticket in tickets:
        levels = TicketEvent.objects.filter(ticket=ticket, kind="escalated").values_list("payload__level", flat=True)
        assert sorted(levels) == [1, 2, 3]
    assert FiredAlert.objects.count() == 36
    # A third sweep finds the work done.
    assert run_sweep().fired == []
