"""Keeping each ticket's clock in step with its audit trail.

``clock_on_event`` runs inside the transaction that appends the event, under the ticket's row lock
(see receivers.py), so the clock commits or rolls back with the change that moved it.
"""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tickets.models import EventKind
from tickets.models.tickets import CLOCK_RUNNING_STATES
from tickets.services.transitions import locked_ticket

from .calendar import WorkingCalendar
from .models import TicketClock
from .schedule import Ladder, next_fire_at

# Events after which the clock's facts may have changed. Reminders and escalations are the clock's own.
# Verifying and closing are not among them: they follow a submission, which already stopped the clock,
# and they never move the deadline.
CLOCK_EVENTS = frozenset(
    {
        EventKind.ASSIGNED,
        EventKind.REASSIGNED,
        EventKind.DEADLINE_CHANGED,
        EventKind.EXTENSION_APPROVED,
        EventKind.SUSPENDED,
        EventKind.RESUMED,
        EventKind.SUBMITTED,
        EventKind.REJECTED,
        EventKind.CANCELLED,
        EventKind.REOPENED,
    }
)


# What the clock knows; updated_at only says when it last changed.
_FACTS = [f.name for f in TicketClock._meta.concrete_fields if not f.primary_key and f.name != "updated_at"]


def _facts(clock):
    return {name: getattr(clock, name) for name in _FACTS}


def _as_datetime(value):
    return value if isinstance(value, dt.datetime) else parse_datetime(value)


def _new_deadline(clock, ticket, event):
    """The deadline moved: a new generation, whose ladder starts afresh."""
    clock.generation += 1
    clock.due_at = ticket.due_at
    clock.deadline_set_at = event.created_at
    clock.reminders_from = event.created_at
    clock.levels_from = None
    if "base_due_at" in event.payload:
        # A recomputation: the base is the rule's new date, the suspensions still count since before.
        clock.base_due_at = _as_datetime(event.payload["base_due_at"])
    elif event.kind != EventKind.RESUMED:
        clock.base_due_at, clock.base_set_at = ticket.due_at, event.created_at


def clock_on_event(event):
    if event.kind not in CLOCK_EVENTS:
        return None
    ticket, at = event.ticket, event.created_at
    clock = TicketClock.objects.filter(ticket_id=ticket.pk).first()
    if clock is None:
        if ticket.due_at is None:
            return None  # never assigned (cancelled from the inbox): nothing to keep time for
        clock = TicketClock(ticket_id=ticket.pk)
        before = None
    else:
        before = _facts(clock)
    if event.kind == EventKind.REOPENED:
        # A new run of the flow: the old run's missed deadline is history, the office sets a new one.
        _new_deadline(clock, ticket, event)
        clock.levels_from = at
    elif ticket.due_at != clock.due_at:
        _new_deadline(clock, ticket, event)
    if event.kind == EventKind.SUSPENDED:
        clock.paused_since = at
    elif event.kind == EventKind.RESUMED:
        clock.paused_since = None
        # Reminders whose moment passed while the clock stood still are skipped.
        clock.reminders_from = at
    elif event.kind == EventKind.REJECTED:
        # Back to the chief: reminders missed while the verifier had it are skipped, overdue levels are not.
        clock.reminders_from = at
    clock.running = ticket.state in CLOCK_RUNNING_STATES
    if clock.running and clock.paused_since is None and clock.due_at is not None:
        clock.next_fire_at = next_fire_at(
            clock, now=at, ladder=Ladder.cached(), calendar=WorkingCalendar(),
            # A clock made just now has fired nothing: no need to ask.
            fired=set() if before is None else None,
        )
    else:
        # Nothing can fire while the chief is not the one who must act: no need to read the ladder.
        clock.next_fire_at = None
    if before is None:
        clock.save(force_insert=True)
    else:
        # Most events after the assignment (a verification, the closing of a stopped clock) change
        # nothing here: then there is nothing to write.
        after = _facts(clock)
        changed = [name for name, value in after.items() if value != before[name]]
        if changed:
            clock.save(update_fields=[*changed, "updated_at"])
    return clock


def refresh_all_clocks():
    """Recompute every live clock's next moment, after the office changed the reminders or the ladder."""
    # The tables as they are now, not a copy: this runs right after the office changed them.
    ladder, calendar, now = Ladder.load(), WorkingCalendar(fresh=True), timezone.now()
    ids = TicketClock.objects.filter(running=True, paused_since__isnull=True).values_list("pk", flat=True)
    for ticket_id in list(ids):
        with locked_ticket(ticket_id):
            clock = TicketClock.objects.select_for_update().get(pk=ticket_id)
            clock.next_fire_at = next_fire_at(clock, now=now, ladder=ladder, calendar=calendar)
            clock.save(update_fields=["next_fire_at", "updated_at"])
