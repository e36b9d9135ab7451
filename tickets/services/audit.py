"""Writing to the audit trail. Callers hold the ticket's row lock, so seq and prev_hash cannot race."""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from ..models import TicketEvent
from ..signals import event_recorded


def record_event(*, ticket, kind, actor=None, from_state="", to_state="", payload=None, at=None):
    """Append one event to the ticket's chain and return it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction that changes the ticket")
    last = (
        TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("-seq").values_list("seq", "hash").first()
    )
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
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
    event_recorded.send(sender=TicketEvent, event=event)
    return event
