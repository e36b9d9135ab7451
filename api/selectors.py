"""Reads the API adds on top of tickets.selectors: the overdue flag, and one visible ticket."""

import re

from django.db.models import BooleanField, Case, Value, When
from django.http import Http404

from tickets.models import Ticket
from tickets.selectors import ticket_list
from workflows.filters import overdue_q

# ZG-2025-00001; anything else cannot be a ticket and must not reach the database (NUL bytes do on PostgreSQL).
TICKET_NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}")


def with_overdue(queryset):
    """``is_overdue`` on each row, computed in the query (no per-row work)."""
    try:
        from deadlines.selectors import annotate_overdue
    except ImportError:
        annotate_overdue = None
    if annotate_overdue is not None:
        queryset = annotate_overdue(queryset)
        if "is_overdue" in queryset.query.annotations:
            return queryset
    return queryset.annotate(
        is_overdue=Case(When(overdue_q(), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def api_ticket_list(*, viewer):
    return with_overdue(ticket_list(viewer=viewer))


def visible_ticket(*, viewer, number):
    """The ticket if this viewer may see it; 404 otherwise, so a ticket's existence does not leak."""
    if not isinstance(number, str) or not TICKET_NUMBER.fullmatch(number):
        raise Http404
    ticket = api_ticket_list(viewer=viewer).select_related("reporter").filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


def ticket_for_response(ticket):
    """Re-read after an action, with what the detail shows; the actor has just been allowed to act."""
    return with_overdue(
        Ticket.objects.select_related("segment__river", "segment__area", "responsible_chief", "reporter")
    ).get(pk=ticket.pk)
