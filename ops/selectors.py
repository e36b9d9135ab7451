"""The counts an operator watches, read in a fixed handful of queries (status page and /metrics)."""

from django.db.models import Count
from django.utils import timezone

from deadlines.selectors import overdue_q
from notifications.models import Delivery, DeliveryStatus
from tickets.models import Ticket, TicketState

from .health import BEAT_HEARTBEAT
from .models import Heartbeat

FINISHED_STATES = [TicketState.CLOSED, TicketState.CANCELLED]


def _outbox_counts():
    """Notification deliveries by status."""
    rows = Delivery.objects.values("status").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(DeliveryStatus.values, 0)
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
        "tickets_overdue": Ticket.objects.filter(overdue_q(now)).count(),
        "outbox": _outbox_counts(),
        "beat_seen_at": beat_seen,
        # Last run of each task that beat schedules (the deadline sweep among them).
        "periodic_runs": dict(sorted(heartbeats.items())),
    }
