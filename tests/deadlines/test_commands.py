import datetime as dt
from io import StringIO

from django.core.management import call_command

from deadlines.models import FiredAlert
from tickets.models import TicketEvent

from .conftest import assign, local


def test_dry_run_prints_what_would_fire_and_writes_nothing(clock, office, chief, segment):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    events = TicketEvent.objects.count()
    clock.set(local(2026, 11, 11, 9))
    out = StringIO()
    call_command("run_deadline_sweep", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"would fire {ticket.number} escalation level 1" in text
    assert f"would fire {ticket.number} escalation level 2" in text
    assert "2 would fire, nothing written" in text
    assert TicketEvent.objects.count() == events
    assert not FiredAlert.objects.exists()


def test_dry_run_can_look_ahead(clock, office, chief, segment):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))
    out = StringIO()
    call_command("run_deadline_sweep", "--dry-run", "--at", "2026-11-06T09:30", stdout=out)
    assert f"would fire {ticket.number} reminder 3 working day(s) before" in out.getvalue()
    assert not FiredAlert.objects.exists()


def test_one_sweep_by_hand(clock, office, chief, segment):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    clock.set(local(2026, 11, 4, 9))
    out = StringIO()
    call_command("run_deadline_sweep", stdout=out)
    assert f"fired {ticket.number} escalation 1" in out.getvalue()
    assert TicketEvent.objects.filter(ticket=ticket, kind="escalated").count() == 1
    call_command("run_deadline_sweep", stdout=StringIO())
    assert TicketEvent.objects.filter(ticket=ticket, kind="escalated").count() == 1


def test_the_ticker_sweeps_and_stops_with_its_parent(clock, office, chief, segment, monkeypatch):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    clock.set(local(2026, 11, 4, 9))
    # The parent is there for the first look, gone by the second (runserver ended).
    parents = iter([4242, 4242, 1])
    monkeypatch.setattr("os.getppid", lambda: next(parents, 1))
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    call_command("run_ticker", "--exit-with-parent", stdout=StringIO())
    assert TicketEvent.objects.filter(ticket=ticket, kind="escalated").count() == 1
