"""Checking the audit trail's hash chains (used by `manage.py verify_audit`)."""

from dataclasses import dataclass

from .models import TicketEvent


@dataclass
class BrokenLink:
    ticket_id: int
    seq: int
    event_id: int
    reason: str


def verify_chains(batch_size=2000):
    """Yield every broken link, walking each ticket's chain in order with bounded memory."""
    current_ticket, expected_prev, expected_seq = None, "", 1
    events = TicketEvent.objects.order_by("ticket_id", "seq").iterator(chunk_size=batch_size)
    for event in events:
        if event.ticket_id != current_ticket:
            current_ticket, expected_prev, expected_seq = event.ticket_id, "", 1
        if event.seq != expected_seq:
            yield BrokenLink(event.ticket_id, event.seq, event.pk, f"expected seq {expected_seq}")
        elif event.prev_hash != expected_prev:
            yield BrokenLink(event.ticket_id, event.seq, event.pk, "prev_hash does not match previous event")
        elif event.compute_hash() != event.hash:
            yield BrokenLink(event.ticket_id, event.seq, event.pk, "content does not match its hash")
        expected_prev, expected_seq = event.hash, event.seq + 1
