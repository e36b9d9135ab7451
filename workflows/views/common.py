"""What the UI views share: finding a ticket the viewer may see, and the overdue flag."""

from django.http import Http404

from deadlines.selectors import annotate_overdue as _annotate_overdue
from tickets.selectors import ticket_list


def annotate_overdue(queryset):
    """Adds ``is_overdue`` and ``overdue_days`` to each ticket, in SQL (no query per row).

    The one place the UI decides "late": the deadlines app's rule (working-day deadlines,
    a paused clock is not late).
    """
    return _annotate_overdue(queryset)


def visible_ticket_or_404(user, number):
    """The ticket with this number if the user may see it; otherwise 404, so that numbers outside
    the viewer's scope do not even reveal that they exist."""
    ticket = annotate_overdue(ticket_list(viewer=user)).filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket
