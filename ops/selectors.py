"""The counts an operator watches, read in a fixed handful of queries (status page and /metrics)."""

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from tickets.models import Ticket, TicketState
from tickets.models.tickets import CLOCK_RUNNING_STATES

from .health import BEAT_HEARTBEAT
from .models import Heartbeat

FINISHED_STATES = [TicketState.CLOSED, TicketState.CANCELLED]


def _overdue_q(now):
    """The deadlines app's reading of "late" (it leaves out suspended tickets) when it is installed;
    otherwise the ticket list's: the chief still has to act and the deadline has passed."""
    if apps.is_installed("deadlines"):
        from deadlines.selectors import overdue_q

        return overdue_q(now)
    return Q(state__in=CLOCK_RUNNING_STATES, due_at__lt=now)


def _outbox_counts():
    """Outbox rows by status, or None while the notifications app is not installed."""
    if not apps.is_installed("notifications"):
        return None
    try:
        delivery = apps.get_model("notifications", "Delivery")
    except LookupError:
        return None
    rows = delivery.objects.values("status").annotate(n=Count("id")).order_by()
    counts = {"pending": 0, "sending": 0, "sent": 0, "failed": 0, "unknown": 0}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def operational_counts():
    now = timezone.now()
    by_state = {state: 0 for state in TicketState.values}
    by_state.update(
        {row["state"]: row["n"] for row in Ticket.objects.values("state").annotate(n=Count("id")).order_by()}
    )
    heartbeats = {name: seen for name, seen in Heartbeat.objects.values_list("name", "seen_at")}
    beat_seen = heartbeats.pop(BEAT_HEARTBEAT, None)
    return {
        "now": now,
        "tickets_by_state": by_state,
        "tickets_open": sum(n for state, n in by_state.items() if state not in FINISHED_STATES),
        "tickets_overdue": Ticket.objects.filter(_overdue_q(now)).count(),
        "outbox": _outbox_counts(),
        "beat_seen_at": beat_seen,
        # Last run of each task that beat schedules (the deadline sweep among them).
        "periodic_runs": dict(sorted(heartbeats.items())),
    }
