"""Writing to the audit trail. Callers hold the ticket's row lock, so seq and prev_hash cannot race."""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from ..models import TicketEvent
from ..signals import event_recorded
from . import scope


def chain_head_annotations(ticket_pk):
    """Annotations that bring the ticket's last (seq, hash) along with another read of the step."""
    last = TicketEvent.objects.filter(ticket_id=ticket_pk).order_by("-seq")
    return {
        "chain_head_seq": Subquery(last.values("seq")[:1]),
        "chain_head_hash": Subquery(last.values("hash")[:1]),
    }


def _chain_head(ticket):
    """(seq, hash) of the ticket's last event; (0, "") before its first.

    Inside a flow step the transaction knows it (read once after the ticket's lock was taken, then moved
    by each event appended, whichever instance of the ticket appended it); elsewhere it is read here.
    """
    known = scope.chain_head(ticket.pk)
    if known is not None:
        return known
    last = TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, "")


def record_event(*, ticket, kind, actor=None, from_state="", to_state="", payload=None, at=None):
    """Append one event to the ticket's chain and return it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction that changes the ticket")
    last_seq, prev_hash = _chain_head(ticket)
    seq = last_seq + 1
    # Round-trip through JSON now so the hash is computed over exactly what the database will return.
    payload = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
    # The database hands the time back in UTC; hash it in UTC too, or a caller passing local time
    # (timezone.localtime()) writes an event that verify_audit reports as tampered.
    created_at = (at or timezone.now()).astimezone(dt.UTC)
    event = TicketEvent(
        ticket=ticket,
        seq=seq,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
        created_at=created_at,
        prev_hash=prev_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    scope.remember_chain_head(ticket.pk, seq, event.hash)
    event_recorded.send(sender=TicketEvent, event=event)
    return event
