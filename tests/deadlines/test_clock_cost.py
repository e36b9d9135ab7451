"""What the clock costs each ticket event: the ladder and calendar from the process's copy, no fired
alerts looked up for a clock made just now, and no write when an event changes nothing on the clock."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import process_cache
from deadlines import clocks, receivers
from deadlines.calendar import WorkingCalendar
from deadlines.clocks import refresh_all_clocks
from deadlines.models import CalendarDay, CalendarYear, EscalationStep, ReminderStep, TicketClock
from deadlines.schedule import Ladder
from tests.factories import png_upload
from tickets import services
from tickets.models import AttachmentKind

from .conftest import assign, end_of, local

OFFICE_TABLES = ("deadlines_reminderstep", "deadlines_escalationstep", "deadlines_calendarday", "deadlines_calendaryear")


@pytest.fixture
def clock_queries(monkeypatch):
    """The SQL each clock_on_event ran, by event kind (a list per event)."""
    seen = {}
    real = clocks.clock_on_event

    def measured(event):
        with CaptureQueriesContext(connection) as ctx:
            result = real(event)
        seen.setdefault(event.kind, []).append([q["sql"] for q in ctx.captured_queries])
        return result

    monkeypatch.setattr(receivers, "clock_on_event", measured)
    return seen


def to_closed(ticket, *, chief, office):
    services.ticket_start(ticket=ticket, actor=chief)
    services.attachment_add(ticket=ticket, actor=chief, upload=png_upload(), kind=AttachmentKind.AFTER)
    services.ticket_submit(ticket=ticket, actor=chief, measures="已清理")
    services.ticket_verify(ticket=ticket, actor=office)
    services.ticket_close(ticket=ticket, actor=office)


def touches(queries, *tables):
    return [sql for sql in queries if any(f'"{table}"' in sql for table in tables)]


def test_a_lifecycle_reads_the_office_tables_once_per_process(clock, office, chief, segment, clock_queries):
    first = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))
    to_closed(first, chief=chief, office=office)
    second = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 12))
    to_closed(second, chief=chief, office=office)
    assert touches(clock_queries["assigned"][0], *OFFICE_TABLES)
    # The second lifecycle: the clock is read and inserted, nothing else (the copy; a new clock has fired nothing).
    second_assign = clock_queries["assigned"][1]
    assert not touches(second_assign, *OFFICE_TABLES, "deadlines_firedalert")
    assert [sql.split()[0] for sql in second_assign] == ["SELECT", "INSERT"]
    assert TicketClock.objects.get(pk=second.pk).due_at == end_of(2026, 11, 12)
    # Per event kind: assign 2, submit 2 (the clock stops); verify and close none (the submission stopped
    # the clock and they never move the deadline); the others are no clock events.
    assert {kind: len(runs[1]) for kind, runs in clock_queries.items()} == {
        "created": 0, "assigned": 2, "started": 0, "attachment_added": 0, "submitted": 2, "verified": 0, "closed": 0,
    }


def test_an_event_that_changes_nothing_on_the_clock_writes_nothing(clock, office, chief, segment, clock_queries):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))
    services.ticket_start(ticket=ticket, actor=chief)
    services.attachment_add(ticket=ticket, actor=chief, upload=png_upload(), kind=AttachmentKind.AFTER)
    clock.advance(hours=1)
    services.ticket_submit(ticket=ticket, actor=chief, measures="已清理")
    stopped = TicketClock.objects.get(pk=ticket.pk)
    assert (stopped.running, stopped.next_fire_at) == (False, None)
    # The submission stopped the clock: only what changed is written (and when).
    (submit,) = clock_queries["submitted"]
    update = touches(submit, "deadlines_ticketclock")[-1]
    assert update.startswith("UPDATE") and '"running"' in update and '"due_at"' not in update
    clock.advance(hours=1)
    services.ticket_verify(ticket=ticket, actor=office)
    services.ticket_close(ticket=ticket, actor=office)
    assert not [sql for runs in (clock_queries["verified"], clock_queries["closed"]) for sql in runs[0]
                if sql.startswith("UPDATE")]
    after = TicketClock.objects.get(pk=ticket.pk)
    assert after.updated_at == stopped.updated_at
    assert (after.running, after.due_at, after.generation) == (False, stopped.due_at, stopped.generation)


def test_an_event_that_moves_the_deadline_still_writes_it(clock, office, chief, segment):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))
    before = TicketClock.objects.get(pk=ticket.pk)
    clock.advance(hours=1)
    services.ticket_change_deadline(ticket=ticket, actor=office, due_at=dt.date(2026, 11, 25), reason="汛期")
    after = TicketClock.objects.get(pk=ticket.pk)
    assert (after.generation, after.due_at) == (before.generation + 1, end_of(2026, 11, 25))
    assert after.updated_at > before.updated_at
    assert after.next_fire_at == local(2026, 11, 20, 9)  # 3 working days before the 25th


def test_an_edit_of_the_ladder_applies_at_once(clock, office, chief, segment):
    assert Ladder.cached().reminder_days == (3, 1, 0)
    step = ReminderStep.objects.create(days_before=5)
    assert Ladder.cached().reminder_days == (5, 3, 1, 0)
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at == local(2026, 11, 4, 9)
    step.delete()
    assert Ladder.cached().reminder_days == (3, 1, 0)
    level = EscalationStep.objects.get(level=2)
    level.working_days_after = 2
    level.save()
    assert Ladder.cached().levels[2].working_days_after == 2


def test_an_edit_of_the_calendar_applies_at_once(clock):
    assert WorkingCalendar().is_working_day(dt.date(2026, 11, 4))
    assert not WorkingCalendar().is_covered(2027)
    year = CalendarYear.objects.create(year=2026)
    day = CalendarDay.objects.create(year=year, date=dt.date(2026, 11, 4), is_working_day=False, note="本地停工")
    assert not WorkingCalendar().is_working_day(dt.date(2026, 11, 4))
    day.delete()
    assert WorkingCalendar().is_working_day(dt.date(2026, 11, 4))
    CalendarYear.objects.create(year=2027, official_schedule=True)
    assert WorkingCalendar().is_covered(2027)


def test_the_copies_are_read_once_and_kept_for_a_short_while(clock, monkeypatch):
    year = CalendarYear.objects.create(year=2026)
    with CaptureQueriesContext(connection) as first:
        Ladder.cached()
        WorkingCalendar().is_working_day(dt.date(2026, 11, 4))
    with CaptureQueriesContext(connection) as again:
        Ladder.cached()
        WorkingCalendar().is_working_day(dt.date(2026, 11, 5))
    assert len(first) == 3 and len(again) == 0
    # A change no signal reports (a bulk update) shows once the copies are older than their TTL.
    ReminderStep.objects.filter(days_before=3).update(days_before=4)
    CalendarDay.objects.bulk_create([CalendarDay(year=year, date=dt.date(2026, 11, 6), is_working_day=False)])
    assert Ladder.cached().reminder_days == (3, 1, 0)
    later = time.monotonic() + process_cache.TTL + 1
    monkeypatch.setattr(process_cache.time, "monotonic", lambda: later)
    assert Ladder.cached().reminder_days == (4, 1, 0)
    assert not WorkingCalendar().is_working_day(dt.date(2026, 11, 6))


def test_refreshing_every_clock_reads_the_tables_not_the_copy(clock, office, chief, segment):
    year = CalendarYear.objects.create(year=2026)
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at == local(2026, 11, 6, 9)
    # Changed without a signal (as another process's edit looks from here): the copy is stale.
    ReminderStep.objects.filter(days_before=3).update(days_before=4)
    CalendarDay.objects.bulk_create([CalendarDay(year=year, date=dt.date(2026, 11, 5), is_working_day=False)])
    assert Ladder.cached().reminder_days == (3, 1, 0) and WorkingCalendar().is_working_day(dt.date(2026, 11, 5))
    refresh_all_clocks()
    # 4 working days before Wed 11 Nov, with Thu 5 Nov off: Wed 4 Nov.
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at == local(2026, 11, 4, 9)
