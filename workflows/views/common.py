"""What the UI views share: finding a ticket the viewer may see, and the overdue flag."""

from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404

from tickets.selectors import ticket_list

from ..filters import overdue_q


def annotate_overdue(queryset):
    """Adds ``is_overdue`` to each ticket.

    The one place the UI decides "late": switch to deadlines.selectors.annotate_overdue here
    once the deadlines app (working-day calendar, suspensions) provides it.
    """
    return queryset.annotate(is_overdue=ExpressionWrapper(overdue_q(), output_field=BooleanField()))


def visible_ticket_or_404(user, number):
    """The ticket with this number if the user may see it; otherwise 404, so that numbers outside
    the viewer's scope do not even reveal that they exist."""
    ticket = annotate_overdue(ticket_list(viewer=user)).filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket
