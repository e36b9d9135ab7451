"""Reads about patrols: lists, and the patrol rate (巡河率) per appointment, chief and area.

Patrol rate of a chief for a report period = valid patrols done / patrols required, where
- required: for each segment the chief held at a level for a whole duty period (week / month /
  quarter by level) that ends within the report period, that level's patrols per period;
- done: valid patrols on that segment in that duty period, counted up to the number required,
  so that three patrols in one week do not excuse a week with none.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Q
from django.db.models.functions import Trunc
from django.utils import timezone

from tickets.models import ChiefAppointment

from .duty import duties, duty_periods
from .models import Patrol

TRUNC_KIND = {"week": "week", "month": "month", "quarter": "quarter"}


def patrols_visible_to(user):
    from tickets import rules

    queryset = Patrol.objects.select_related("chief", "segment__river", "segment__area")
    if rules.is_office(user):
        return queryset
    return queryset.filter(chief=user)


def local_midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class DutyRecord:
    """One appointment's duty in a report period."""

    chief_id: int
    segment_id: int
    area_id: int
    level: str
    required: int = 0
    done: int = 0
    missed_periods: list = field(default_factory=list)  # (first day, last day, done, required)


def _in_area(area):
    if area is None:
        return Q()
    return Q(segment__area=area) | Q(segment__area__parent=area) | Q(segment__area__parent__parent=area)


def patrol_duties(*, start, end, area=None, chief=None):
    """The duty records of every appointment in the report period [start, end) (dates)."""
    table = duties()
    appointments = ChiefAppointment.objects.filter(
        _in_area(area), Q(end_date__isnull=True) | Q(end_date__gte=start), start_date__lt=end
    ).values("chief_id", "segment_id", "segment__area_id", "level", "start_date", "end_date")
    if chief is not None:
        appointments = appointments.filter(chief=chief)
    records = {}
    owed = defaultdict(list)  # level -> [(record, first, last)]
    for a in appointments:
        frequency, per_period = table[a["level"]]
        key = (a["chief_id"], a["segment_id"], a["level"])
        for first, last in duty_periods(frequency, start, end):
            # Owed only for a duty period held from its first to its last day: a chief appointed
            # mid-month owes from the next month, and a handover month is owed by neither.
            if a["start_date"] <= first and (a["end_date"] is None or a["end_date"] >= last):
                record = records.get(key)
                if record is None:
                    record = records[key] = DutyRecord(
                        a["chief_id"], a["segment_id"], a["segment__area_id"], a["level"]
                    )
                record.required += per_period
                owed[a["level"]].append((record, first, last, per_period))
    for level, items in owed.items():
        frequency, _per = table[level]
        earliest = min(first for _r, first, _l, _p in items)
        latest = max(last for _r, _f, last, _p in items)
        counts = {
            (row["chief_id"], row["segment_id"], row["period"]): row["n"]
            for row in Patrol.objects.filter(
                is_valid=True, level=level,
                started_at__gte=local_midnight(earliest),
                started_at__lt=local_midnight(latest + dt.timedelta(days=1)),
                chief_id__in={r.chief_id for r, *_ in items},
            )
            .annotate(period=Trunc("started_at", TRUNC_KIND[frequency], output_field=DateField()))
            .values("chief_id", "segment_id", "period")
            .annotate(n=Count("pk"))
        }
        for record, first, last, per_period in items:
            n = counts.get((record.chief_id, record.segment_id, first), 0)
            record.done += min(n, per_period)
            if n < per_period:
                record.missed_periods.append((first, last, n, per_period))
    return list(records.values())


def rate(done, required):
    return None if not required else done / required


def patrol_rates_by_chief(*, start, end, area=None):
    """{chief_id: {"required", "done", "rate", "missed"}}"""
    totals = defaultdict(lambda: {"required": 0, "done": 0, "missed": 0})
    for record in patrol_duties(start=start, end=end, area=area):
        row = totals[record.chief_id]
        row["required"] += record.required
        row["done"] += record.done
        row["missed"] += len(record.missed_periods)
    for row in totals.values():
        row["rate"] = rate(row["done"], row["required"])
    return dict(totals)


def patrol_totals_by_area(*, start, end, area=None):
    """{leaf area_id: {"required", "done"}}; callers roll areas up their tree."""
    totals = defaultdict(lambda: {"required": 0, "done": 0})
    for record in patrol_duties(start=start, end=end, area=area):
        totals[record.area_id]["required"] += record.required
        totals[record.area_id]["done"] += record.done
    return dict(totals)
