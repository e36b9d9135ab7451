"""Reminders and every level of the escalation ladder, driven by the sweep under a controlled clock.

The ticket: patrol finding, minor, assigned Mon 2 Nov 2026 10:00 → 7 working days → due Wed 11 Nov
23:59:59. Reminders: Fri 6, Tue 10, Wed 11 Nov at 09:00. Levels: 11 Nov 23:59:59, +5 working days
(18 Nov), +15 working days (2 Dec).
"""

import datetime as dt

import pytest

from deadlines.models import FiredAlert, TicketClock
from deadlines.sweep import run_sweep
from tests.factories import AppointmentFactory, png_upload
from tickets import services
from tickets.models import AreaLevel, AttachmentKind, Ticket

from .conftest import assign, end_of, kinds, local

DUE = end_of(2026, 11, 11)


@pytest.fixture
def ticket(clock, office, ladder_people, segment):
    return assign(office=office, chief=ladder_people["chief"], segment=segment,
                  source="patrol_finding", severity="minor")


def sweep_at(clock, at):
    clock.set(at)
    return run_sweep()


def reminders(ticket):
    return [p["days_before"] for _k, p in kinds(ticket, "reminded")]


def levels(ticket):
    return [p["level"] for _k, p in kinds(ticket, "escalated")]


def test_the_clock_knows_the_first_moment(ticket):
    clock = TicketClock.objects.get(pk=ticket.pk)
    assert (clock.due_at, clock.generation, clock.running) == (DUE, 1, True)
    assert clock.next_fire_at == local(2026, 11, 6, 9)


def test_reminders_fire_three_and_one_working_days_before_and_on_the_day_each_once(clock, ticket):
    assert sweep_at(clock, local(2026, 11, 6, 8, 59)).fired == []
    assert sweep_at(clock, local(2026, 11, 6, 9, 1)).fired == [(ticket.number, "reminder", 3)]
    run_sweep()
    sweep_at(clock, local(2026, 11, 10, 9, 0))
    sweep_at(clock, local(2026, 11, 11, 9, 0))
    run_sweep()
    assert reminders(ticket) == [3, 1, 0]
    payload = kinds(ticket, "reminded")[0][1]
    assert payload["due_at"] == DUE.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def test_every_level_of_the_ladder(clock, ticket, ladder_people):
    people = {name: user.pk for name, user in ladder_people.items()}
    sweep_at(clock, local(2026, 11, 11, 23, 59, 58))
    assert levels(ticket) == []
    sweep_at(clock, local(2026, 11, 12, 0, 0, 30))
    sweep_at(clock, local(2026, 11, 18, 23, 0))
    assert levels(ticket) == [1]
    sweep_at(clock, local(2026, 11, 19, 0, 0, 30))
    assert levels(ticket) == [1, 2]
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == 2
    sweep_at(clock, local(2026, 12, 2, 23, 0))
    assert levels(ticket) == [1, 2]
    sweep_at(clock, local(2026, 12, 3, 0, 0, 30))
    sweep_at(clock, local(2027, 3, 1, 9))
    escalations = [p for _k, p in kinds(ticket, "escalated")]
    assert [p["level"] for p in escalations] == [1, 2, 3]
    assert escalations[0]["audience"] == [people["chief"], people["township"]]
    assert escalations[1]["audience"] == [people["chief"], people["county"], people["office_head"]]
    assert escalations[2]["audience"] == [people["chief"], people["general_chief"]]
    assert all(p["due_at"].startswith("2026-11-11T15:59:59") for p in escalations)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 3
    # Escalation adds pressure; the chief who must rectify stays the same.
    assert ticket.responsible_chief == ladder_people["chief"]
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at is None


def test_a_sweep_after_downtime_fires_each_level_in_order_once(clock, ticket):
    sweep_at(clock, local(2026, 12, 10, 9))
    sweep_at(clock, local(2026, 12, 10, 9, 1))
    assert levels(ticket) == [1, 2, 3]
    # The reminders' moment passed with the deadline: escalation supersedes them.
    assert reminders(ticket) == []
    assert FiredAlert.objects.filter(ticket=ticket).count() == 3


def test_the_superior_of_a_township_chief_is_the_county_chief(clock, office, ladder_people, segment):
    ticket = assign(office=office, chief=ladder_people["township"], segment=segment,
                    source="patrol_finding", severity="minor")
    sweep_at(clock, local(2026, 11, 12, 9))
    assert kinds(ticket, "escalated")[0][1]["audience"] == [ladder_people["township"].pk, ladder_people["county"].pk]


def test_reassignment_with_a_new_date_moves_the_ladder(clock, ticket, office, segment):
    sweep_at(clock, local(2026, 11, 6, 9, 30))
    assert reminders(ticket) == [3]
    new_chief = AppointmentFactory(segment=segment, level=AreaLevel.VILLAGE, start_date=dt.date(2020, 1, 1),
                                   end_date=dt.date(2030, 1, 1), chief__username="new_chief").chief
    services.ticket_reassign(ticket=ticket, actor=office, chief=new_chief, reason="原河长调离",
                             due_at=dt.date(2026, 11, 20))
    clock_row = TicketClock.objects.get(pk=ticket.pk)
    assert (clock_row.generation, clock_row.due_at) == (2, end_of(2026, 11, 20))
    sweep_at(clock, local(2026, 11, 12, 9))
    assert levels(ticket) == []
    # The new deadline's reminders (3 days before the 20th is the 17th) fire afresh.
    sweep_at(clock, local(2026, 11, 17, 9, 5))
    assert reminders(ticket) == [3, 3]
    sweep_at(clock, local(2026, 11, 21, 0, 1))
    escalation = kinds(ticket, "escalated")
    assert [p["level"] for _k, p in escalation] == [1]
    assert escalation[0][1]["audience"][0] == new_chief.pk
    assert escalation[0][1]["due_at"].startswith("2026-11-20T15:59:59")


def test_reassignment_without_a_date_keeps_the_ladder(clock, ticket, office, segment):
    other = AppointmentFactory(segment=segment, level=AreaLevel.VILLAGE, start_date=dt.date(2020, 1, 1),
                               end_date=dt.date(2030, 1, 1), chief__username="other_village").chief
    services.ticket_reassign(ticket=ticket, actor=office, chief=other, reason="分工调整")
    assert TicketClock.objects.get(pk=ticket.pk).generation == 1
    sweep_at(clock, local(2026, 11, 12, 9))
    assert levels(ticket) == [1]


def test_a_deadline_changed_by_the_office_moves_the_ladder(clock, ticket, office):
    services.ticket_change_deadline(ticket=ticket, actor=office, due_at=dt.date(2026, 11, 25), reason="汛期")
    sweep_at(clock, local(2026, 11, 12, 9))
    assert levels(ticket) == []
    sweep_at(clock, local(2026, 11, 26, 9))
    assert levels(ticket) == [1]


def test_a_ticket_closed_before_its_deadline_fires_nothing(clock, ticket, ladder_people, office):
    chief = ladder_people["chief"]
    clock.set(local(2026, 11, 4, 10))
    services.ticket_start(ticket=ticket, actor=chief)
    services.attachment_add(ticket=ticket, actor=chief, upload=png_upload(), kind=AttachmentKind.AFTER)
    services.ticket_submit(ticket=ticket, actor=chief, measures="已清理")
    services.ticket_verify(ticket=ticket, actor=office)
    services.ticket_close(ticket=ticket, actor=office)
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at is None
    for at in (local(2026, 11, 6, 9, 30), local(2026, 11, 12, 9), local(2027, 6, 1, 9)):
        assert sweep_at(clock, at).fired == []
    assert reminders(ticket) == levels(ticket) == []


def test_nothing_fires_while_the_verifier_has_it_and_the_ladder_resumes_on_rejection(clock, ticket, ladder_people, office):
    chief = ladder_people["chief"]
    services.ticket_start(ticket=ticket, actor=chief)
    services.attachment_add(ticket=ticket, actor=chief, upload=png_upload(), kind=AttachmentKind.AFTER)
    services.ticket_submit(ticket=ticket, actor=chief, measures="已清理")
    sweep_at(clock, local(2026, 11, 13, 9))
    assert reminders(ticket) == levels(ticket) == []
    services.ticket_reject(ticket=ticket, actor=office, reason="未清理干净")
    sweep_at(clock, local(2026, 11, 13, 9, 1))
    # Rejected after the deadline: the rectification was late; the missed reminders are not sent.
    assert levels(ticket) == [1]
    assert reminders(ticket) == []


def test_a_late_assignment_skips_reminders_already_past(clock, office, ladder_people, segment):
    clock.set(local(2026, 11, 10, 15))
    ticket = assign(office=office, chief=ladder_people["chief"], segment=segment, due_at=dt.date(2026, 11, 11))
    sweep_at(clock, local(2026, 11, 11, 9, 1))
    assert reminders(ticket) == [0]


def test_a_failing_ticket_does_not_stop_the_sweep(clock, office, ladder_people, segment, monkeypatch):
    first = assign(office=office, chief=ladder_people["chief"], segment=segment, due_at=dt.date(2026, 11, 5))
    second = assign(office=office, chief=ladder_people["chief"], segment=segment, due_at=dt.date(2026, 11, 6))
    from deadlines import sweep

    real = sweep.escalation_audience

    def broken(ticket, config):
        if ticket.pk == first.pk:
            raise RuntimeError("boom")
        return real(ticket, config)

    monkeypatch.setattr(sweep, "escalation_audience", broken)
    result = sweep_at(clock, local(2026, 11, 9, 9))
    assert result.failed == [first.pk]
    assert levels(second) == [1]
    assert levels(first) == []
    assert not FiredAlert.objects.filter(ticket=first).exists()
