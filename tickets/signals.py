"""Signals other apps listen to. tickets/ sends them and never imports its listeners."""

from django.dispatch import Signal

# Sent inside the transaction that appends the event, with sender=TicketEvent and event=<the row>.
# Listeners that write rows (the notification outbox) commit or roll back together with the event.
event_recorded = Signal()
