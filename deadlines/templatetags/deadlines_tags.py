"""``{% deadline_badge ticket %}``: the overdue / paused / provisional badge for list rows and pages.

List pages pass tickets from ``deadlines.selectors.annotate_overdue`` (no extra query per row);
a ticket without the annotation is judged from its own fields, without the pause.
"""

from django import template
from django.utils import timezone

from tickets.models.tickets import CLOCK_RUNNING_STATES

register = template.Library()


@register.inclusion_tag("deadlines/deadline_badge.html")
def deadline_badge(ticket):
    overdue = getattr(ticket, "is_overdue", None)
    if overdue is None:
        overdue = bool(ticket.due_at and ticket.state in CLOCK_RUNNING_STATES and ticket.due_at < timezone.now())
    return {
        "overdue": overdue,
        "overdue_days": getattr(ticket, "overdue_days", None),
        "provisional": ticket.deadline_provisional,
        "escalation_level": ticket.escalation_level,
    }
