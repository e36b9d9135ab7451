"""Reads about deadlines for list pages, the API, the ledger and the monthly bulletin.

``annotate_overdue`` works in SQL, so a list page costs the same number of queries however many
tickets it shows: ``is_overdue`` (the chief still has to act, the deadline has passed and the clock
is not paused) and ``overdue_days`` (days begun since the deadline; 0 when not overdue).
"""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Floor
from django.utils import timezone

from tickets.models import EventKind, Ticket, TicketEvent
from tickets.models.tickets import CLOCK_RUNNING_STATES
from tickets.services.transitions import DEADLINE_STATES

from .calendar import WorkingCalendar, office_date
from .models import ExtensionRequest, ExtensionStatus, Suspension, TicketClock


class Epoch(Func):
    """Seconds since 1970 of a datetime column, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


def _paused():
    return Exists(TicketClock.objects.filter(ticket=OuterRef("pk"), paused_since__isnull=False))


def overdue_q(now=None):
    now = now or timezone.now()
    return Q(state__in=CLOCK_RUNNING_STATES, due_at__lt=now) & ~Q(_paused())


def annotate_overdue(queryset, now=None):
    now = now or timezone.now()
    late = overdue_q(now)
    days = Cast(Floor((Value(now.timestamp()) - Epoch(F("due_at"))) / Value(86400.0)), IntegerField()) + 1
    return queryset.annotate(
        is_overdue=ExpressionWrapper(late, output_field=BooleanField()),
        overdue_days=Case(When(late, then=days), default=Value(0), output_field=IntegerField()),
    )


def filter_overdue(queryset, value, now=None):
    """The list filter: True → only overdue, False → none overdue, None → all."""
    if value is None:
        return queryset
    return queryset.filter(overdue_q(now)) if value else queryset.exclude(overdue_q(now))


def open_suspension(ticket):
    return Suspension.objects.filter(ticket=ticket, ended_at__isnull=True).select_related("started_by").first()


def pending_extension(ticket):
    return ExtensionRequest.objects.filter(ticket=ticket, status=ExtensionStatus.PENDING).first()


def extension_history(ticket):
    return list(ExtensionRequest.objects.filter(ticket=ticket).select_related("requested_by", "decided_by"))


def _counts():
    return {
        "extensions_requested": Count("pk"),
        "extensions_approved": Count("pk", filter=Q(status=ExtensionStatus.APPROVED)),
        "extensions_refused": Count("pk", filter=Q(status=ExtensionStatus.REFUSED)),
    }


def extension_counts(*, ticket):
    return ExtensionRequest.objects.filter(ticket=ticket).aggregate(**_counts())


def extension_counts_by_chief(queryset=None):
    """Per chief who asked: {requested_by: user id, extensions_requested, _approved, _refused}."""
    queryset = ExtensionRequest.objects.all() if queryset is None else queryset
    return queryset.values("requested_by").annotate(**_counts()).order_by("requested_by")


def provisional_tickets():
    return Ticket.objects.filter(deadline_provisional=True, state__in=DEADLINE_STATES)


def provisional_summary():
    """What to warn the office about: how many open deadlines are provisional, and the years to enter."""
    calendar = WorkingCalendar()
    years = sorted({d.year for d in provisional_tickets().datetimes("due_at", "day")})
    this_year = office_date(timezone.now()).year
    missing = [year for year in sorted({*years, this_year}) if not calendar.is_covered(year)]
    return {"count": provisional_tickets().count(), "years": missing}


def bulletin_flagged(*, year, month):
    """Tickets that reached escalation level 2 or more in that month: the monthly bulletin names them."""
    flagged = TicketEvent.objects.filter(
        kind=EventKind.ESCALATED, payload__level__gte=2, created_at__year=year, created_at__month=month
    ).values("ticket_id")
    return Ticket.objects.filter(pk__in=flagged).select_related("responsible_chief", "segment__river")
