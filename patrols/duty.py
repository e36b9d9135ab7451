"""Duty periods: the calendar weeks, months or quarters in which a chief owes patrols."""

import datetime as dt

from .models import DutyFrequency, PatrolDuty

# From the glossary and the 2022 summary: county quarterly, township monthly (一月一巡查), village weekly.
DEFAULT_DUTIES = {
    "county": (DutyFrequency.QUARTER, 1),
    "township": (DutyFrequency.MONTH, 1),
    "village": (DutyFrequency.WEEK, 1),
}


def duties():
    """{level: (frequency, patrols per period)}: the office's rows over the defaults."""
    table = dict(DEFAULT_DUTIES)
    for duty in PatrolDuty.objects.all():
        table[duty.level] = (duty.frequency, duty.patrols_per_period)
    return table


def period_start(day, frequency):
    if frequency == DutyFrequency.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if frequency == DutyFrequency.MONTH:
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def next_period_start(start, frequency):
    if frequency == DutyFrequency.WEEK:
        return start + dt.timedelta(days=7)
    months = 1 if frequency == DutyFrequency.MONTH else 3
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def duty_periods(frequency, start, end):
    """The duty periods (first day, last day) that end within [start, end): a week belongs to the
    report period in which its Sunday falls."""
    periods = []
    first = period_start(start, frequency)
    while first < end:
        nxt = next_period_start(first, frequency)
        last = nxt - dt.timedelta(days=1)
        if start <= last < end:
            periods.append((first, last))
        first = nxt
    return periods
