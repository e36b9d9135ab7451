"""Deadlines in 2027, a year the chinesecalendar package does not cover yet."""

import datetime as dt

import pytest
from django.urls import reverse

from deadlines.checks import provisional_deadlines
from deadlines.models import CalendarDay, CalendarYear, TicketClock
from deadlines.services import recompute_provisional_deadlines, ticket_resume, ticket_suspend
from tests.factories import UserFactory
from tickets.models import Ticket, TicketEvent

from .conftest import assign, end_of, local


@pytest.fixture
def provisional_ticket(clock, office, chief, segment):
    clock.set(local(2026, 12, 21, 10))
    # 15 weekdays from Dec 21, with Jan 1 2027 counted as a working day for want of the schedule.
    return assign(office=office, chief=chief, segment=segment, source="patrol_finding", severity="serious")


def test_the_ticket_is_marked_and_the_office_warned(provisional_ticket):
    assert provisional_ticket.due_at == end_of(2027, 1, 11)
    assert provisional_ticket.deadline_provisional
    [warning] = provisional_deadlines()
    assert warning.id == "deadlines.W001"
    assert "2027" in warning.msg and "1 张工单" in warning.msg


def test_entering_the_2027_schedule_in_the_admin_recomputes_it(client, provisional_ticket):
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post(reverse("admin:deadlines_calendaryear_add"), {
        "year": "2027", "official_schedule": "on", "note": "国办发明电〔2026〕号",
        "days-TOTAL_FORMS": "2", "days-INITIAL_FORMS": "0", "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2027-01-01", "days-0-is_working_day": "", "days-0-note": "元旦",
        "days-1-date": "", "days-1-note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get(pk=provisional_ticket.pk)
    # Jan 1 is a holiday after all: the fifteenth working day is Jan 12.
    assert (ticket.due_at, ticket.deadline_provisional) == (end_of(2027, 1, 12), False)
    event = TicketEvent.objects.filter(ticket=ticket).order_by("-seq").first()
    assert (event.kind, event.actor) == ("deadline_changed", None)
    assert event.payload["old_due_at"].startswith("2027-01-11T15:59:59")
    assert event.payload["due_at"].startswith("2027-01-12T15:59:59")
    # The ladder moved with the deadline.
    clock_row = TicketClock.objects.get(pk=ticket.pk)
    assert (clock_row.generation, clock_row.due_at) == (2, end_of(2027, 1, 12))
    assert provisional_deadlines() == []


def test_days_without_the_official_tick_move_the_date_but_keep_the_mark(provisional_ticket):
    year = CalendarYear.objects.create(year=2027)
    CalendarDay.objects.create(year=year, date=dt.date(2027, 1, 1), is_working_day=False, note="元旦")
    assert recompute_provisional_deadlines() == 1
    ticket = Ticket.objects.get(pk=provisional_ticket.pk)
    assert (ticket.due_at, ticket.deadline_provisional) == (end_of(2027, 1, 12), True)
    assert recompute_provisional_deadlines() == 0
    year.official_schedule = True
    year.save()
    assert recompute_provisional_deadlines() == 1
    ticket = Ticket.objects.get(pk=provisional_ticket.pk)
    assert (ticket.due_at, ticket.deadline_provisional) == (end_of(2027, 1, 12), False)
    assert TicketClock.objects.get(pk=ticket.pk).generation == 2


def test_a_suspension_shift_into_2027_is_recounted(clock, office, chief, segment):
    clock.set(local(2026, 12, 21, 10))
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 12, 31))
    clock.set(local(2026, 12, 28, 9))
    ticket_suspend(ticket=ticket, actor=office, reason="等待环保部门监测结果")
    clock.set(local(2026, 12, 30, 9))
    ticket = ticket_resume(ticket=ticket, actor=office)
    # Paused Dec 28 and 29; Dec 31 + 2 weekdays = Jan 4 (Jan 1 guessed a working day).
    assert (ticket.due_at, ticket.deadline_provisional) == (end_of(2027, 1, 4), True)
    year = CalendarYear.objects.create(year=2027, official_schedule=True)
    CalendarDay.objects.create(year=year, date=dt.date(2027, 1, 1), is_working_day=False, note="元旦")
    assert recompute_provisional_deadlines() == 1
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.due_at, ticket.deadline_provisional) == (end_of(2027, 1, 5), False)
