from tests.factories import ticket_in_state
from tickets.models import TicketState
from tickets.selectors import ticket_history


def test_a_ticket_reaches_closed_through_the_services(office, chief, segment, verifier):
    ticket = ticket_in_state(TicketState.CLOSED, office=office, chief=chief, segment=segment, verifier=verifier)
    kinds = [e.kind for e in ticket_history(ticket=ticket)]
    assert ticket.state == TicketState.CLOSED
    assert kinds == ["created", "assigned", "started", "attachment_added", "submitted", "verified", "closed"]
