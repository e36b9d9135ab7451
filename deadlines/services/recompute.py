"""Recomputing provisional deadlines once the office has entered a year's official schedule.

A provisional deadline was counted on Monday-to-Friday in a year whose holidays were not known.
It is counted again the way it was first made: by its policy from the same start day (or from the
date the office set), then moved by the working days of the suspensions since, with the calendar
as it now stands. If the date changes, the ticket gets a DEADLINE_CHANGED event from the system and
the ladder moves with it; if only the mark goes, the event records that too.
"""

import logging

from django.utils.translation import gettext as _

from tickets.models import EventKind, Ticket
from tickets.services import record_event
from tickets.services.transitions import DEADLINE_STATES, locked_ticket

from ..calendar import WorkingCalendar, office_date
from ..models import Suspension, TicketClock, Unit
from ..policies import compute_deadline, policy_from_rule
from .suspension import paused_working_days, shift_by_working_days

logger = logging.getLogger(__name__)


def _recount(ticket, clock):
    """(base, due_at, provisional) for the ticket on today's calendar, or None if it cannot be redone."""
    # The calendar as it is now, not the process's copy: this runs right after the office entered it.
    calendar = WorkingCalendar(fresh=True)
    policy = policy_from_rule(ticket.deadline_rule)
    if policy is not None and policy.unit != Unit.STATED and ticket.assigned_at:
        deadline = compute_deadline(ticket, office_date(ticket.assigned_at), policy=policy)
        base, provisional = deadline.due_at, deadline.provisional
    elif clock.base_due_at:
        base, provisional = clock.base_due_at, False
    else:
        return None
    since = clock.base_set_at
    suspensions = Suspension.objects.filter(ticket=ticket, ended_at__isnull=False)
    if since:
        suspensions = suspensions.filter(ended_at__gt=since)
    days = sum(paused_working_days(s.started_at, s.ended_at, since, calendar) for s in suspensions)
    due_at = shift_by_working_days(base, days, calendar)
    return base, due_at, provisional or calendar.provisional


def recompute_ticket(ticket_id):
    with locked_ticket(ticket_id) as ticket:
        clock = TicketClock.objects.filter(pk=ticket.pk).first()
        if not ticket.deadline_provisional or clock is None:
            return False
        counted = _recount(ticket, clock)
        if counted is None:
            return False
        base, due_at, provisional = counted
        if due_at == ticket.due_at and provisional:
            return False
        old_due = ticket.due_at
        ticket.due_at, ticket.deadline_provisional = due_at, provisional
        ticket.save(update_fields=["due_at", "deadline_provisional", "updated_at"])
        record_event(
            ticket=ticket, kind=EventKind.DEADLINE_CHANGED,
            payload={"old_due_at": old_due, "due_at": due_at, "base_due_at": base,
                     "deadline_rule": ticket.deadline_rule, "deadline_provisional": provisional,
                     "reason": _("录入放假安排后按正式日历重新计算期限。")},
        )
        return True


def recompute_provisional_deadlines():
    """Redo every open provisional deadline; returns how many tickets changed. Safe to run again."""
    ids = Ticket.objects.filter(deadline_provisional=True, state__in=DEADLINE_STATES).values_list("pk", flat=True)
    changed = 0
    for ticket_id in list(ids):
        try:
            changed += recompute_ticket(ticket_id)
        except Exception:
            logger.exception("recomputing the deadline of ticket %s failed", ticket_id)
    return changed
