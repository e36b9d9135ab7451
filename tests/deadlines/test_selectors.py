import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines import selectors
from deadlines.services import ticket_suspend
from deadlines.sweep import run_sweep
from tests.factories import open_ticket
from tickets.models import Ticket

from .conftest import assign, local


def test_overdue_is_annotated_in_sql(clock, office, chief, segment):
    late = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    on_time = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 20))
    paused = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    ticket_suspend(ticket=paused, actor=office, reason="等待第三方")
    reported = open_ticket(reporter=office, segment=segment)
    clock.set(local(2026, 11, 5, 10))
    with CaptureQueriesContext(connection) as queries:
        rows = {t.pk: (t.is_overdue, t.overdue_days) for t in selectors.annotate_overdue(Ticket.objects.all())}
    assert len(queries) == 1
    # Due Nov 3 23:59:59; on Nov 5 10:00 the second day past it has begun.
    assert rows == {late.pk: (True, 2), on_time.pk: (False, 0), paused.pk: (False, 0), reported.pk: (False, 0)}
    assert list(selectors.filter_overdue(Ticket.objects.all(), True)) == [late]
    assert set(selectors.filter_overdue(Ticket.objects.all(), False)) == {on_time, paused, reported}
    assert selectors.filter_overdue(Ticket.objects.all(), None).count() == 4


def test_the_bulletin_names_tickets_that_reached_level_two_that_month(clock, office, ladder_people, segment):
    ticket = assign(office=office, chief=ladder_people["chief"], segment=segment, due_at=dt.date(2026, 11, 3))
    clock.set(local(2026, 11, 4, 9))
    run_sweep()
    assert list(selectors.bulletin_flagged(year=2026, month=11)) == []
    clock.set(local(2026, 11, 11, 9))
    run_sweep()
    assert list(selectors.bulletin_flagged(year=2026, month=11)) == [ticket]
    assert list(selectors.bulletin_flagged(year=2026, month=12)) == []


def test_the_badge_shows_overdue_days_and_level(clock, office, chief, segment):
    from django.template import Context, Template

    assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    clock.set(local(2026, 11, 5, 10))
    row = selectors.annotate_overdue(Ticket.objects.all()).get()
    html = Template("{% load deadlines_tags %}{% deadline_badge t %}").render(Context({"t": row}))
    assert "逾期 2 天" in html
    run_sweep()
    row = selectors.annotate_overdue(Ticket.objects.all()).get()
    assert "1 级督办" in Template("{% load deadlines_tags %}{% deadline_badge t %}").render(Context({"t": row}))
