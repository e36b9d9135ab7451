"""Pausing a ticket's clock while it waits on a third party, and resuming it.

Resuming moves the deadline by the working days the clock stood still: the working days from the
day it was paused (or the day the deadline was last set, if later) up to, not including, the day it
resumed. A pause and resume on the same day moves nothing.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import rules
from tickets.errors import TicketPermissionDenied, TicketStateConflict
from tickets.models import EventKind
from tickets.models.tickets import CLOCK_RUNNING_STATES
from tickets.services import record_event
from tickets.services.transitions import locked_ticket

from ..calendar import WorkingCalendar, office_date, office_moment, office_tz
from ..models import Suspension, TicketClock
from ._common import require_state, require_text


def ticket_suspend(*, ticket, actor, reason):
    with locked_ticket(ticket) as ticket:
        if not rules.may_change_deadline(ticket, actor):
            raise TicketPermissionDenied()
        require_state(ticket, CLOCK_RUNNING_STATES)
        reason = require_text(reason, "reason", _("请填写暂停计时的理由(如等待第三方)。"))
        if Suspension.objects.filter(ticket=ticket, ended_at__isnull=True).exists():
            raise TicketStateConflict(_("该工单已暂停计时。"), current_state=ticket.state)
        suspension = Suspension.objects.create(ticket=ticket, reason=reason, started_at=timezone.now(), started_by=actor)
        record_event(
            ticket=ticket, kind=EventKind.SUSPENDED, actor=actor,
            payload={"suspension": suspension.pk, "reason": reason, "due_at": ticket.due_at},
        )
        return suspension


def paused_working_days(start, end, base_set_at, calendar):
    start = max(start, base_set_at) if base_set_at else start
    return calendar.working_days_between(office_date(start), office_date(end))


def shift_by_working_days(due_at, days, calendar):
    """The deadline moved ``days`` working days later, at the same time of day."""
    if not days:
        return due_at
    local = timezone.localtime(due_at, office_tz())
    return office_moment(calendar.add_working_days(local.date(), days), local.time()).astimezone(dt.UTC)


def ticket_resume(*, ticket, actor):
    with locked_ticket(ticket) as ticket:
        if not rules.may_change_deadline(ticket, actor):
            raise TicketPermissionDenied()
        suspension = Suspension.objects.select_for_update().filter(ticket=ticket, ended_at__isnull=True).first()
        if suspension is None:
            raise TicketStateConflict(_("该工单没有暂停计时。"), current_state=ticket.state)
        now, calendar = timezone.now(), WorkingCalendar()
        clock = TicketClock.objects.filter(pk=ticket.pk).first()
        days = paused_working_days(suspension.started_at, now, getattr(clock, "base_set_at", None), calendar)
        old_due = ticket.due_at
        suspension.ended_at, suspension.ended_by, suspension.paused_working_days = now, actor, days
        suspension.save(update_fields=["ended_at", "ended_by", "paused_working_days"])
        fields = ["updated_at"]
        if old_due and days:
            ticket.due_at = shift_by_working_days(old_due, days, calendar)
            ticket.deadline_provisional = ticket.deadline_provisional or calendar.provisional
            fields += ["due_at", "deadline_provisional"]
        ticket.save(update_fields=fields)
        record_event(
            ticket=ticket, kind=EventKind.RESUMED, actor=actor,
            payload={"suspension": suspension.pk, "paused_working_days": days, "old_due_at": old_due,
                     "due_at": ticket.due_at},
        )
        return ticket
