"""Reads. Each returns a queryset or object in a fixed number of queries."""

from django.db.models import Q
from django.utils import timezone

from . import rules
from .models import ChiefAppointment, Ticket, TicketEvent
from .models.organisation import LEVEL_ORDER


def _active_on(on):
    on = on or timezone.localdate()
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def chief_appointment(*, chief, segment, on=None):
    """The chief's appointment on this segment on that day; the most local level if they hold several."""
    appointments = list(
        ChiefAppointment.objects.filter(_active_on(on), chief=chief, segment=segment).only("level")
    )
    if not appointments:
        return None
    return max(appointments, key=lambda a: LEVEL_ORDER.index(a.level))


def responsible_chief(*, segment, level, on=None):
    """Who is chief of this segment at this level on that day (None if the post is vacant)."""
    appointment = (
        ChiefAppointment.objects.filter(_active_on(on), segment=segment, level=level)
        .select_related("chief")
        .order_by("-start_date")
        .first()
    )
    return appointment.chief if appointment else None


def chief_superior(*, segment, level, on=None):
    """The nearest appointed chief above ``level`` on the segment: village → township → county.

    Returns (user, level), or (None, None) at the top of the ladder or where every post above is vacant.
    """
    above = LEVEL_ORDER[: LEVEL_ORDER.index(level)]
    if not above:
        return None, None
    appointments = {
        a.level: a
        for a in ChiefAppointment.objects.filter(_active_on(on), segment=segment, level__in=above)
        .select_related("chief")
        .order_by("start_date")
    }
    for candidate in reversed(above):
        if candidate in appointments:
            return appointments[candidate].chief, candidate
    return None, None


def tickets_visible_to(user, queryset=None):
    """The tickets this user may see (rules.may_view): one query for the tickets, one for a chief's segments."""
    queryset = Ticket.objects.all() if queryset is None else queryset
    if rules.is_office(user) or rules.Role.VERIFIER in rules.roles_of(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    scope = Q(reporter=user) | Q(responsible_chief=user)
    if rules.is_chief(user):
        # The segment ids as a list, not a subquery: then each branch of the OR is an index lookup and
        # PostgreSQL combines them (BitmapOr) instead of scanning every ticket to count a chief's page.
        held = list(ChiefAppointment.objects.filter(_active_on(None), chief=user).values_list("segment_id", flat=True))
        if held:
            scope |= Q(segment_id__in=held)
    return queryset.filter(scope)


def ticket_history(*, ticket):
    """The audit trail, oldest first, actors loaded: one query whatever its length."""
    return list(TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("seq"))


def ticket_list(*, viewer):
    """The tickets a viewer may see, with what a list row shows loaded: a fixed number of queries."""
    return tickets_visible_to(viewer).select_related(
        "segment__river", "segment__area", "responsible_chief", "reporter"
    )
