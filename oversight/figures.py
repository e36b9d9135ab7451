"""The bulletin's figures, aggregated in the database per chief and per area.

Every definition below is also written on the bulletin page (templates/oversight/_definitions.html).
For a period [start, end) and "as of" = the earlier of the period's end and now:

- received: tickets reported within the period, not cancelled before its end;
- closed: tickets closed (销号) within the period and not reopened since;
- closed on time: closed, and the accepted rectification was submitted no later than the deadline
  in force (due_at, which already includes approved extensions);
- still open: reported before the end, neither closed nor cancelled before it;
- overdue: still open, deadline passed by "as of", no rectification submitted by the deadline
  awaiting verification, and the clock not suspended at "as of";
- escalated: tickets escalated (ESCALATED event) within the period;
- rejected: verification rejections (REJECTED events) within the period;
- reopened: closed tickets reopened within the period;
- extensions: extensions approved within the period;
- resolution rate = closed / (closed + still open): the share of the period's workload closed by its end;
- on-time rate = closed on time / closed.

A ticket counts for the chief it is assigned to now, and for the area its segment lies in.
"""

from collections import defaultdict

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from tickets.models import Area, EventKind, Ticket, TicketEvent

TICKET_FIGURES = [
    "received", "closed", "closed_on_time", "still_open", "overdue", "high_escalation",
]
EVENT_FIGURES = ["escalated", "rejected", "reopened", "extensions"]
FIGURES = TICKET_FIGURES + EVENT_FIGURES

# Escalated to the office or above (level 2+): the bulletin names the chief.
HIGH_ESCALATION_LEVEL = 2


def in_area(area, prefix=""):
    if area is None:
        return Q()
    return (
        Q(**{f"{prefix}segment__area": area})
        | Q(**{f"{prefix}segment__area__parent": area})
        | Q(**{f"{prefix}segment__area__parent__parent": area})
    )


def _suspended_at(as_of):
    """The latest suspend/resume event before ``as_of``: "suspended" means the clock was paused."""
    return Subquery(
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"), kind__in=[EventKind.SUSPENDED, EventKind.RESUMED], created_at__lt=as_of
        )
        .order_by("-created_at", "-seq")
        .values("kind")[:1]
    )


def ticket_conditions(period, as_of=None):
    s, e = period.start_at, period.end_at
    as_of = min(e, as_of or timezone.now())
    not_cancelled = Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=e)
    closed = Q(closed_at__gte=s, closed_at__lt=e)
    still_open = Q(reported_at__lt=e) & (Q(closed_at__isnull=True) | Q(closed_at__gte=e)) & not_cancelled
    submitted_in_time = Q(submitted_at__isnull=False, submitted_at__lte=F("due_at"))
    overdue = (
        still_open
        & Q(due_at__lt=as_of)
        & ~submitted_in_time
        & (Q(clock_state__isnull=True) | ~Q(clock_state=EventKind.SUSPENDED))
    )
    return {
        "received": Q(reported_at__gte=s, reported_at__lt=e) & not_cancelled,
        "closed": closed,
        "closed_on_time": closed & submitted_in_time,
        "still_open": still_open,
        "overdue": overdue,
        "high_escalation": (closed | still_open) & Q(escalation_level__gte=HIGH_ESCALATION_LEVEL),
    }, as_of


def _ticket_counts(period, group, scope):
    conditions, as_of = ticket_conditions(period)
    queryset = (
        Ticket.objects.filter(scope)
        .filter(reported_at__lt=period.end_at)
        .exclude(closed_at__lt=period.start_at)
        .annotate(clock_state=_suspended_at(as_of))
        .values(group)
        .annotate(**{name: Count("pk", filter=q) for name, q in conditions.items()})
        .order_by()
    )
    return {row[group]: row for row in queryset}


def _event_counts(period, group, scope):
    kinds = {
        "escalated": EventKind.ESCALATED,
        "rejected": EventKind.REJECTED,
        "reopened": EventKind.REOPENED,
        "extensions": EventKind.EXTENSION_APPROVED,
    }
    key = f"ticket__{group}"
    queryset = (
        TicketEvent.objects.filter(in_area_events(scope))
        .filter(kind__in=kinds.values(), created_at__gte=period.start_at, created_at__lt=period.end_at)
        .values(key)
        .annotate(
            escalated=Count("ticket", distinct=True, filter=Q(kind=EventKind.ESCALATED)),
            rejected=Count("pk", filter=Q(kind=EventKind.REJECTED)),
            reopened=Count("pk", filter=Q(kind=EventKind.REOPENED)),
            extensions=Count("pk", filter=Q(kind=EventKind.EXTENSION_APPROVED)),
        )
        .order_by()
    )
    return {row[key]: row for row in queryset}


def in_area_events(scope):
    # The ticket scope, re-rooted at the event's ticket.
    return Q(ticket__in=Ticket.objects.filter(scope).values("pk")) if scope else Q()


def _merge(ticket_rows, event_rows):
    merged = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for key, row in ticket_rows.items():
        merged[key].update({name: row[name] for name in TICKET_FIGURES})
    for key, row in event_rows.items():
        merged[key].update({name: row[name] for name in EVENT_FIGURES})
    return merged


def with_rates(row):
    workload = row["closed"] + row["still_open"]
    row["resolution_rate"] = row["closed"] / workload if workload else None
    row["on_time_rate"] = row["closed_on_time"] / row["closed"] if row["closed"] else None
    required = row.get("patrol_required", 0)
    row["patrol_rate"] = row.get("patrol_done", 0) / required if required else None
    return row


def figures_by_chief(period, area=None):
    """{chief_id: figures}; tickets not yet assigned have no chief and appear only by area."""
    scope = in_area(area)
    rows = _merge(
        _ticket_counts(period, "responsible_chief", scope), _event_counts(period, "responsible_chief", scope)
    )
    rows.pop(None, None)
    return rows


def figures_by_leaf_area(period, area=None):
    scope = in_area(area)
    return _merge(_ticket_counts(period, "segment__area", scope), _event_counts(period, "segment__area", scope))


def areas_in_scope(area=None):
    """Areas of the scope, each with its depth, in tree order (parents before children)."""
    all_areas = list(Area.objects.values("id", "name", "level", "parent_id", "code"))
    children = defaultdict(list)
    for a in all_areas:
        children[a["parent_id"]].append(a)
    ordered = []

    def walk(node, depth):
        ordered.append({**node, "depth": depth})
        for child in sorted(children[node["id"]], key=lambda c: c["code"]):
            walk(child, depth + 1)

    roots = [a for a in all_areas if a["id"] == area.pk] if area else sorted(children[None], key=lambda c: c["code"])
    for root in roots:
        walk(root, 0)
    return ordered


def roll_up(leaf_rows, areas, fields):
    """Sum leaf-area rows into every ancestor in ``areas`` (a tree of at most three levels)."""
    by_id = {a["id"]: a for a in areas}
    totals = {a["id"]: dict.fromkeys(fields, 0) for a in areas}
    for leaf_id, row in leaf_rows.items():
        node = by_id.get(leaf_id)
        while node is not None:
            for name in fields:
                totals[node["id"]][name] += row.get(name, 0)
            node = by_id.get(node["parent_id"])
    return totals
