"""The dashboard's series: each one aggregation in the database."""

import datetime as dt

from django.db.models import Count, DateField
from django.db.models.functions import Trunc
from django.utils import timezone

from tickets.models import Area, Source, Ticket, TicketState

from . import periods
from .figures import figures_by_leaf_area
from .reports import build_report


def _months_back(today, count):
    first = today.replace(day=1)
    months = []
    for _i in range(count):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def dashboard_data(today=None):
    today = today or timezone.localdate()
    states = dict(TicketState.choices)
    sources = dict(Source.choices)
    by_state = {r["state"]: r["n"] for r in Ticket.objects.values("state").annotate(n=Count("pk")).order_by()}
    by_source = {r["source"]: r["n"] for r in Ticket.objects.values("source").annotate(n=Count("pk")).order_by()}

    months = _months_back(today, 12)
    since = timezone.make_aware(dt.datetime.combine(months[0], dt.time.min))
    received = {
        r["m"]: r["n"]
        for r in Ticket.objects.filter(reported_at__gte=since)
        .annotate(m=Trunc("reported_at", "month", output_field=DateField()))
        .values("m").annotate(n=Count("pk")).order_by()
    }
    closed = {
        r["m"]: r["n"]
        for r in Ticket.objects.filter(closed_at__gte=since)
        .annotate(m=Trunc("closed_at", "month", output_field=DateField()))
        .values("m").annotate(n=Count("pk")).order_by()
    }
    # The bulletin's definition of overdue (suspended clocks excluded), as of now.
    names = dict(Area.objects.values_list("id", "name"))
    leaf = figures_by_leaf_area(periods.current_month(today))
    overdue = sorted(
        ({"area": names[k], "n": v["overdue"]} for k, v in leaf.items() if k is not None and v["overdue"]),
        key=lambda r: (-r["n"], r["area"]),
    )[:15]
    report = build_report(periods.year(today.year))
    top_areas = [a for a in report["areas"] if a["depth"] <= 1]
    return {
        "state": {"labels": [str(states[s]) for s in TicketState.values],
                  "values": [by_state.get(s, 0) for s in TicketState.values]},
        "source": {"labels": [str(sources[s]) for s in Source.values],
                   "values": [by_source.get(s, 0) for s in Source.values]},
        "trend": {"labels": [f"{m:%Y-%m}" for m in months],
                  "received": [received.get(m, 0) for m in months],
                  "closed": [closed.get(m, 0) for m in months]},
        "overdue": {"labels": [r["area"] for r in overdue], "values": [r["n"] for r in overdue]},
        "rates": {"labels": [a["name"] for a in top_areas],
                  "resolution": [_pct(a["resolution_rate"]) for a in top_areas],
                  "patrol": [_pct(a["patrol_rate"]) for a in top_areas],
                  "period": str(periods.year(today.year).label)},
    }


def _pct(value):
    return None if value is None else round(value * 100, 1)
