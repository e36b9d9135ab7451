"""Audit events are written once: the model and its querysets refuse changes, and so does PostgreSQL itself."""

import pytest
from django.db import DatabaseError, connection, models, transaction

from tests.factories import ticket_in_state
from tickets.models import TicketEvent, TicketState
from tickets.models.events import AppendOnlyError

pytestmark = pytest.mark.django_db

TABLE = TicketEvent._meta.db_table


@pytest.fixture
def ticket(office, chief, segment):
    return ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)


@pytest.fixture
def first_event(ticket):
    return TicketEvent.objects.get(ticket=ticket, seq=1)


def snapshot(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("seq").values())


REFUSALS = {
    "instance save": lambda e: (setattr(e, "to_state", "closed"), e.save()),
    "instance save(update_fields)": lambda e: (setattr(e, "kind", "closed"), e.save(update_fields=["kind"])),
    "instance delete": lambda e: e.delete(),
    "queryset update": lambda e: TicketEvent.objects.filter(pk=e.pk).update(to_state="closed"),
    "queryset delete": lambda e: TicketEvent.objects.filter(pk=e.pk).delete(),
    "update all": lambda e: TicketEvent.objects.update(payload={}),
    "delete all": lambda e: TicketEvent.objects.all().delete(),
    "related manager update": lambda e: e.ticket.events.update(payload={}),
    "related manager delete": lambda e: e.ticket.events.all().delete(),
    "bulk_update": lambda e: TicketEvent.objects.bulk_update([e], ["payload"]),
    "update_or_create": lambda e: TicketEvent.objects.update_or_create(pk=e.pk, defaults={"to_state": "x"}),
    "copy saved over the original": lambda e: TicketEvent(**{
        f.attname: getattr(e, f.attname) for f in TicketEvent._meta.concrete_fields
    }).save(),
}


@pytest.mark.parametrize("how", list(REFUSALS))
def test_the_model_and_queryset_refuse_changes(ticket, first_event, how):
    before = snapshot(ticket)
    # bulk_update runs in atomic(savepoint=False): give each attempt a savepoint to fail in.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        REFUSALS[how](first_event)
    assert snapshot(ticket) == before


def test_appending_still_works(ticket, office):
    from tickets import services

    count = TicketEvent.objects.filter(ticket=ticket).count()
    services.ticket_comment(ticket=ticket, actor=office, text="仍可追加")
    assert TicketEvent.objects.filter(ticket=ticket).count() == count + 1


def raw(sql, params):
    # Each attempt in its own savepoint, so the refusal does not poison the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        (f"UPDATE {TABLE} SET to_state = 'closed' WHERE id = %s", "UPDATE"),
        (f"UPDATE {TABLE} SET payload = '{{}}'::jsonb, hash = '' WHERE id = %s", "UPDATE"),
        (f"DELETE FROM {TABLE} WHERE id = %s", "DELETE"),
    ],
)
def test_postgresql_refuses_raw_updates_and_deletes(ticket, first_event, sql, operation):
    before = snapshot(ticket)
    with pytest.raises(DatabaseError) as excinfo:
        raw(sql, [first_event.pk])
    assert f"append-only ({operation} refused)" in str(excinfo.value)
    assert snapshot(ticket) == before


def test_the_base_manager_refuses_too(ticket, first_event):
    """Related lookups and the admin go through the base manager: it is the append-only one."""
    with pytest.raises(AppendOnlyError):
        TicketEvent._base_manager.filter(pk=first_event.pk).update(to_state="closed")
    with pytest.raises(AppendOnlyError):
        TicketEvent._base_manager.filter(pk=first_event.pk).delete()


@pytest.mark.postgres
def test_postgresql_refuses_what_bypasses_the_model(ticket, first_event):
    """A plain QuerySet skips the model's refusal entirely; the trigger still stops it."""
    before = snapshot(ticket)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet(TicketEvent).filter(pk=first_event.pk).update(to_state="closed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet(TicketEvent).filter(pk=first_event.pk).delete()
    assert snapshot(ticket) == before
