"""Working-day arithmetic on China's national calendar.

A day's status comes from, in order: the office's own ``CalendarDay`` entry; the chinesecalendar
package for the years it covers (national holidays and the weekend make-up working days, 调休);
otherwise Monday to Friday. An answer that fell back on Monday-to-Friday in a year whose official
schedule is not known (not in the package, not entered by the office) makes the whole computation
*provisional*: the ticket is marked, the office warned, and the deadline recomputed once the
schedule is entered.
"""

import datetime as dt
import functools

import chinese_calendar
from django.utils import timezone

from config.process_cache import ProcessCache

from .models import CalendarDay, CalendarYear

PACKAGE_YEARS = frozenset(day.year for day in chinese_calendar.holidays)
# A deadline is never years away; a runaway loop is a bug, not a long deadline.
MAX_SCAN_DAYS = 3 * 366

# The office's entries are a few rows a year and read for every deadline computed and every clock
# event: each process keeps them for a short while (config.process_cache), filled a year at a time as
# asked. An edit in this process (the admin) clears them at once (apps.py connects the signals).
CALENDAR = ProcessCache(lambda: {"days": {}, "official": None})
forget_calendar = CALENDAR.forget


def _shared_entries():
    return CALENDAR.get()


@functools.lru_cache(maxsize=8192)
def _package_workday(day):
    # The package's answers never change while the process runs, and each call validates the date
    # anew: the sweep asks about the same few weeks of days for every clock it fires.
    return chinese_calendar.is_workday(day)


def _year_entries(year):
    return dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_working_day"))


def _official_years():
    return frozenset(CalendarYear.objects.filter(official_schedule=True).values_list("year", flat=True))


class WorkingCalendar:
    """Answers about days, loading the office's entries once per year asked about.

    ``provisional`` turns true, and stays true, once an answer relied on the weekday guess.
    Make one per computation whose provisional flag you need.

    The entries come from the process's short-lived copy (``CALENDAR``); ``fresh=True`` reads the
    tables instead, for the computations that follow an edit of the calendar or run once a minute.
    """

    def __init__(self, *, fresh=False):
        self.provisional = False
        self._fresh = fresh
        self._entries = {}
        self._loaded = set()
        self._official = None

    def is_covered(self, year):
        if self._official is None:
            if self._fresh:
                self._official = _official_years()
            else:
                shared = _shared_entries()
                if shared["official"] is None:
                    shared["official"] = _official_years()
                self._official = shared["official"]
        return year in PACKAGE_YEARS or year in self._official

    def _load(self, year):
        if year not in self._loaded:
            if self._fresh:
                self._entries.update(_year_entries(year))
            else:
                days = _shared_entries()["days"]
                if year not in days:
                    days[year] = _year_entries(year)
                self._entries.update(days[year])
            self._loaded.add(year)

    def is_working_day(self, day):
        self._load(day.year)
        if day in self._entries:
            return self._entries[day]
        if day.year in PACKAGE_YEARS:
            return _package_workday(day)
        if not self.is_covered(day.year):
            self.provisional = True
        return day.weekday() < 5

    def next_working_day(self, day):
        """``day`` itself if it is a working day, else the first one after it."""
        return self._scan(day, 1)

    def previous_working_day(self, day):
        """``day`` itself if it is a working day, else the last one before it."""
        return self._scan(day, -1)

    def _scan(self, day, direction):
        for _ in range(MAX_SCAN_DAYS):
            if self.is_working_day(day):
                return day
            day += dt.timedelta(days=direction)
        raise ValueError("no working day within three years")

    def add_working_days(self, day, count):
        """The ``count``-th working day after ``day`` (``day`` itself not counted); ``day`` for 0."""
        for _ in range(count):
            day = self.next_working_day(day + dt.timedelta(days=1))
        return day

    def subtract_working_days(self, day, count):
        """The ``count``-th working day before ``day``; ``day`` for 0."""
        for _ in range(count):
            day = self.previous_working_day(day - dt.timedelta(days=1))
        return day

    def working_days_between(self, start, end):
        """Working days from ``start`` (included) to ``end`` (excluded)."""
        count, day = 0, start
        while day < end:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count


def office_tz():
    """Days are the office's days (settings.TIME_ZONE), whatever time zone a request has activated."""
    return timezone.get_default_timezone()


def office_date(moment):
    return timezone.localtime(moment, office_tz()).date()


def office_moment(day, time):
    return timezone.make_aware(dt.datetime.combine(day, time), office_tz())


def is_working_day(day):
    return WorkingCalendar().is_working_day(day)


def year_is_covered(year):
    return WorkingCalendar().is_covered(year)
