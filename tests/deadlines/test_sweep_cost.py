"""What the sweep costs per due ticket, and its claim: a keyset that stays a range however many were claimed."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines import sweep
from deadlines.models import AlertKind, FiredAlert, TicketClock
from deadlines.sweep import run_sweep
from tickets.models import TicketEvent

from .conftest import assign, end_of, local


def deadlines_sql(queries):
    return [q["sql"] for q in queries if '"deadlines_' in q["sql"]]


def test_a_due_ticket_costs_the_sweep_four_queries_of_its_own(clock, office, chief, segment):
    tickets = [assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3)) for _ in range(3)]
    clock.set(local(2026, 11, 4, 9))
    with CaptureQueriesContext(connection) as ctx:
        result = run_sweep()
    assert sorted(result.fired) == sorted((t.number, "escalation", 1) for t in tickets)
    mine = deadlines_sql(ctx.captured_queries)
    per_ticket = [sql for sql in mine if '"deadlines_reminderstep"' not in sql and '"deadlines_escalationstep"' not in sql
                  and '"deadlines_calendarday"' not in sql]
    claims = [sql for sql in per_ticket if "LIMIT" in sql and "SELECT" in sql and "deadlines_ticketclock" in sql
              and "tickets_ticket" not in sql]
    # One claim that found the three, one that found none; then per ticket: the clock with its ticket
    # (one query, which locks both), the fired steps, the fired alert (inserted with its event), the clock.
    assert len(claims) == 2
    assert len(per_ticket) - len(claims) == 4 * 3
    assert not [sql for sql in ctx.captured_queries if sql["sql"].startswith('UPDATE "deadlines_firedalert"')]
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('SELECT') and '"tickets_ticket"' in q["sql"]
                and '"deadlines_ticketclock"' not in q["sql"] and "FOR UPDATE" in q["sql"]]
    for ticket in tickets:
        alert = FiredAlert.objects.get(ticket=ticket)
        assert alert.event == TicketEvent.objects.get(ticket=ticket, kind="escalated")
        # Level 2 is next: 5 working days after the deadline.
        assert TicketClock.objects.get(pk=ticket.pk).next_fire_at == end_of(2026, 11, 10)


def test_the_claim_goes_on_from_where_the_last_batch_ended(clock, office, chief, segment, monkeypatch):
    monkeypatch.setattr(sweep, "BATCH_SIZE", 2)
    # Seven clocks due at the very same moment, one at an earlier one: ties are ordered by ticket.
    tickets = [assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3)) for _ in range(7)]
    early = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 2))
    clock.set(local(2026, 11, 4, 9))
    claims = []
    real = sweep._claim

    def watched(now, after):
        batch = real(now, after)
        claims.append(batch)
        return batch

    monkeypatch.setattr(sweep, "_claim", watched)
    result = run_sweep()
    assert result.seen == 8 and not result.failed
    assert sorted(result.fired) == sorted((t.number, "escalation", 1) for t in [*tickets, early])
    claimed = [ticket_id for batch in claims for _at, ticket_id in batch]
    assert claimed == [early.pk, *sorted(t.pk for t in tickets)]
    assert [len(batch) for batch in claims] == [2, 2, 2, 2, 0]


def test_the_claim_leaves_behind_a_ticket_it_could_not_take_until_the_next_sweep(clock, office, chief, segment,
                                                                               monkeypatch):
    first = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    second = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    clock.set(local(2026, 11, 4, 9))
    real = sweep._locked_clock
    # As if a user held the first ticket's row lock all through this sweep.
    monkeypatch.setattr(sweep, "_locked_clock", lambda pk: None if pk == first.pk else real(pk))
    assert run_sweep().fired == [(second.number, AlertKind.ESCALATION, 1)]
    monkeypatch.setattr(sweep, "_locked_clock", real)
    assert run_sweep().fired == [(first.number, AlertKind.ESCALATION, 1)]


def test_a_step_fired_meanwhile_rolls_the_ticket_back_and_the_sweep_goes_on(clock, office, chief, segment,
                                                                         monkeypatch):
    first = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    second = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    before = TicketClock.objects.get(pk=first.pk)
    clock.set(local(2026, 11, 4, 9))
    real = sweep.pending_steps

    def raced(clock_row, **kwargs):
        steps = real(clock_row, **kwargs)
        if clock_row.pk == first.pk:
            # Another writer records level 1 after this sweep read the fired steps.
            FiredAlert.objects.create(ticket_id=first.pk, generation=clock_row.generation, kind=AlertKind.ESCALATION,
                                      step=1, due_at=clock_row.due_at, fired_at=clock())
        return steps

    monkeypatch.setattr(sweep, "pending_steps", raced)
    result = run_sweep()
    assert result.fired == [(second.number, AlertKind.ESCALATION, 1)]
    assert result.failed == []
    # Nothing of this sweep's work on the first ticket stands: no event, the clock as it was.
    assert not TicketEvent.objects.filter(ticket=first, kind="escalated").exists()
    assert TicketClock.objects.get(pk=first.pk).next_fire_at == before.next_fire_at
