import datetime as dt

import pytest

from deadlines import selectors
from deadlines.models import ExtensionStatus, TicketClock
from deadlines.services import extension_approve, extension_refuse, extension_request
from deadlines.sweep import run_sweep
from tickets.errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError
from tickets.models import Ticket

from .conftest import assign, end_of, kinds, local


@pytest.fixture
def ticket(clock, office, chief, segment):
    return assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))


def request_more_time(ticket, chief, to=dt.date(2026, 11, 20)):
    return extension_request(ticket=ticket, actor=chief, reason="需等待挖掘机进场", proposed_due_at=to)


def test_the_chief_asks_and_the_office_approves(clock, ticket, chief, office):
    request = request_more_time(ticket, chief)
    assert request.status == ExtensionStatus.PENDING
    assert kinds(ticket, "extension_requested")[0][1]["request"] == request.pk
    approved = extension_approve(request=request, actor=office, comment="同意")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.due_at, ticket.deadline_rule) == (end_of(2026, 11, 20), "extension")
    assert (approved.status, approved.approved_due_at, approved.decided_by) == (
        ExtensionStatus.APPROVED, end_of(2026, 11, 20), office
    )
    payload = kinds(ticket, "extension_approved")[0][1]
    assert payload["request"] == request.pk
    assert payload["due_at"].startswith("2026-11-20T15:59:59")
    assert payload["old_due_at"].startswith("2026-11-11T15:59:59")
    assert payload["reason"] == "同意"


def test_the_office_may_approve_a_different_date(clock, ticket, chief, office):
    request = request_more_time(ticket, chief)
    extension_approve(request=request, actor=office, due_at=dt.date(2026, 11, 16))
    assert Ticket.objects.get(pk=ticket.pk).due_at == end_of(2026, 11, 16)


def test_approval_moves_the_ladder(clock, ticket, chief, office):
    extension_approve(request=request_more_time(ticket, chief), actor=office)
    assert TicketClock.objects.get(pk=ticket.pk).generation == 2
    clock.set(local(2026, 11, 12, 9))
    assert run_sweep().fired == []
    clock.set(local(2026, 11, 21, 9))
    assert [step for _n, kind, step in run_sweep().fired if kind == "escalation"] == [1]


def test_the_office_refuses_with_a_reason(clock, ticket, chief, office):
    request = request_more_time(ticket, chief)
    with pytest.raises(TicketValidationError):
        extension_refuse(request=request, actor=office, reason=" ")
    refused = extension_refuse(request=request, actor=office, reason="工程量不大,按期完成")
    assert refused.status == ExtensionStatus.REFUSED
    assert Ticket.objects.get(pk=ticket.pk).due_at == end_of(2026, 11, 11)
    assert kinds(ticket, "extension_refused")[0][1]["reason"] == "工程量不大,按期完成"
    with pytest.raises(TicketStateConflict):
        extension_approve(request=refused, actor=office)


def test_rules_for_asking(clock, ticket, chief, office, other_chief):
    with pytest.raises(TicketPermissionDenied):
        request_more_time(ticket, other_chief)
    with pytest.raises(TicketValidationError) as excinfo:
        request_more_time(ticket, chief, to=dt.date(2026, 11, 10))
    assert "proposed_due_at" in excinfo.value.errors
    with pytest.raises(TicketValidationError):
        extension_request(ticket=ticket, actor=chief, reason="", proposed_due_at=dt.date(2026, 11, 20))
    request_more_time(ticket, chief)
    with pytest.raises(TicketStateConflict):
        request_more_time(ticket, chief, to=dt.date(2026, 11, 25))


def test_only_the_office_decides(clock, ticket, chief):
    request = request_more_time(ticket, chief)
    with pytest.raises(TicketPermissionDenied):
        extension_approve(request=request, actor=chief)


def test_extensions_are_counted_per_ticket_and_per_chief(clock, ticket, chief, office, segment):
    extension_refuse(request=request_more_time(ticket, chief), actor=office, reason="不同意")
    extension_approve(request=request_more_time(ticket, chief), actor=office)
    other = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 12))
    request_more_time(other, chief)
    assert selectors.extension_counts(ticket=ticket) == {
        "extensions_requested": 2, "extensions_approved": 1, "extensions_refused": 1,
    }
    assert list(selectors.extension_counts_by_chief()) == [
        {"requested_by": chief.pk, "extensions_requested": 3, "extensions_approved": 1, "extensions_refused": 1},
    ]
    assert selectors.pending_extension(other).requested_by == chief
