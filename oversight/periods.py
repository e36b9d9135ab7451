"""Report periods: a month, a quarter or a year, as local dates [start, end)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter" | "year"
    start: dt.date
    end: dt.date  # exclusive

    @property
    def code(self):
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self):
        if self.kind == "month":
            return _("%(y)s年%(m)s月") % {"y": self.start.year, "m": self.start.month}
        if self.kind == "quarter":
            return _("%(y)s年第%(q)s季度") % {"y": self.start.year, "q": (self.start.month - 1) // 3 + 1}
        return _("%(y)s年") % {"y": self.start.year}

    @property
    def start_at(self):
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_at(self):
        return timezone.make_aware(dt.datetime.combine(self.end, dt.time.min))


def _add_months(day, months):
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def month(year, number):
    start = dt.date(year, number, 1)
    return Period("month", start, _add_months(start, 1))


def quarter(year, number):
    start = dt.date(year, (number - 1) * 3 + 1, 1)
    return Period("quarter", start, _add_months(start, 3))


def year(number):
    return Period("year", dt.date(number, 1, 1), dt.date(number + 1, 1, 1))


def parse(code):
    """"2026-03", "2026-Q1" or "2026"."""
    code = (code or "").strip().upper()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", code):
            return month(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", code):
            return quarter(int(m[1]), int(m[2]))
        if re.fullmatch(r"\d{4}", code):
            return year(int(code))
    except ValueError as exc:
        raise PeriodError(code) from exc
    raise PeriodError(code)


def previous_month(today=None):
    today = today or timezone.localdate()
    start = _add_months(today.replace(day=1), -1)
    return month(start.year, start.month)


def current_month(today=None):
    today = today or timezone.localdate()
    return month(today.year, today.month)
