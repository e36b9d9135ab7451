"""The audit trail's hash chain, and `manage.py verify_audit` finding any row changed or removed behind its back.

On PostgreSQL a trigger refuses UPDATE and DELETE of events, so to play the attacker these tests switch the
trigger off inside the test's own transaction (as a database owner could); on SQLite they write directly.
"""

import datetime as dt
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tests.factories import ticket_in_state
from tickets.audit_check import verify_chains
from tickets.models import TicketEvent, TicketState

pytestmark = pytest.mark.django_db

TABLE = TicketEvent._meta.db_table


def tamper(sql, params):
    """Run a raw write on the events table as an attacker with direct database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Replica mode skips ordinary triggers, the append-only one included, until the test's
            # transaction ends. (ALTER TABLE ... DISABLE TRIGGER would work too, but not while the
            # transaction has deferred foreign-key checks pending.)
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def verify_audit():
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def closed_ticket(office, chief, segment, verifier):
    return ticket_in_state(TicketState.CLOSED, office=office, chief=chief, segment=segment, verifier=verifier)


@pytest.fixture
def other_ticket(office, chief, segment):
    return ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)


def event(ticket, seq):
    return TicketEvent.objects.get(ticket=ticket, seq=seq)


def test_each_ticket_has_its_own_chain(closed_ticket, other_ticket):
    for ticket in (closed_ticket, other_ticket):
        events = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[0].prev_hash == ""
        for previous, current in zip(events, events[1:], strict=False):
            assert current.prev_hash == previous.hash
        assert all(e.hash == e.compute_hash() for e in events)


def test_verify_audit_passes_on_good_data(closed_ticket, other_ticket):
    output = verify_audit()
    assert "audit trail intact" in output
    assert f"{TicketEvent.objects.count()} events, 2 tickets" in output
    assert list(verify_chains()) == []


def test_verify_audit_passes_on_an_empty_trail(db):
    assert "0 events, 0 tickets" in verify_audit()


def test_events_written_with_a_local_time_clock_still_verify(office, chief, segment):
    local_now = dt.datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    with mock.patch("django.utils.timezone.now", return_value=local_now):
        ticket = ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    assert event(ticket, 1).created_at == local_now
    assert "audit trail intact" in verify_audit()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("to_state", "closed"),
        ("from_state", "closed"),
        ("kind", "cancelled"),
        ("payload", '{"chief": 999, "level": "village"}'),
        ("created_at", "2020-01-01 00:00:00"),
    ],
)
def test_a_changed_row_is_found_and_named(closed_ticket, other_ticket, column, value):
    target = event(closed_ticket, 2)
    tamper(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, target.pk])

    with pytest.raises(CommandError) as excinfo:
        verify_audit()

    message = str(excinfo.value)
    assert closed_ticket.number in message
    assert f"event #2 (id {target.pk})" in message
    assert "content does not match its hash" in message
    assert [(link.ticket_id, link.seq) for link in verify_chains()] == [(closed_ticket.pk, 2)]


def test_a_changed_actor_is_found(closed_ticket, chief):
    target = event(closed_ticket, 6)  # verified, by the verifier: pretend the chief did it
    tamper(f"UPDATE {TABLE} SET actor_id = %s WHERE id = %s", [chief.pk, target.pk])
    assert [(link.seq, link.event_id) for link in verify_chains()] == [(6, target.pk)]


def test_verify_audit_exits_non_zero_from_the_command_line(closed_ticket, capsys):
    target = event(closed_ticket, 3)
    tamper(f"UPDATE {TABLE} SET to_state = %s WHERE id = %s", ["closed", target.pk])

    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "verify_audit"])

    assert excinfo.value.code != 0
    err = capsys.readouterr().err
    assert closed_ticket.number in err
    assert f"event #3 (id {target.pk})" in err


def test_a_rehashed_row_breaks_the_link_to_the_next_one(closed_ticket):
    target = event(closed_ticket, 3)
    forged = TicketEvent.objects.get(pk=target.pk)
    forged.payload = {"forged": True}
    tamper(f"UPDATE {TABLE} SET payload = %s, hash = %s WHERE id = %s",
           ['{"forged": true}', forged.compute_hash(), target.pk])

    with pytest.raises(CommandError) as excinfo:
        verify_audit()

    assert f"event #4 (id {event(closed_ticket, 4).pk})" in str(excinfo.value)
    assert "prev_hash does not match" in str(excinfo.value)


def test_a_deleted_middle_event_is_found(closed_ticket, other_ticket):
    removed = event(closed_ticket, 4)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [removed.pk])

    with pytest.raises(CommandError) as excinfo:
        verify_audit()

    message = str(excinfo.value)
    assert closed_ticket.number in message
    assert f"event #5 (id {event(closed_ticket, 5).pk})" in message
    assert "expected seq 4" in message


def test_a_deleted_first_event_is_found(other_ticket):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [event(other_ticket, 1).pk])
    assert [(link.seq, link.reason) for link in verify_chains()] == [(2, "expected seq 1")]


def test_every_broken_chain_is_reported_by_the_checker(closed_ticket, other_ticket):
    for ticket in (closed_ticket, other_ticket):
        tamper(f"UPDATE {TABLE} SET to_state = %s WHERE id = %s", ["verified", event(ticket, 1).pk])
    assert {link.ticket_id for link in verify_chains(batch_size=2)} == {closed_ticket.pk, other_ticket.pk}


@pytest.mark.postgres
def test_on_postgresql_the_trigger_refuses_the_tampering_itself(closed_ticket):
    target = event(closed_ticket, 2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET to_state = 'closed' WHERE id = %s", [target.pk])
    assert event(closed_ticket, 2).to_state == target.to_state
    assert "audit trail intact" in verify_audit()
