import datetime as dt

import pytest

from deadlines.calendar import PACKAGE_YEARS, WorkingCalendar, is_working_day
from deadlines.models import CalendarDay, CalendarYear

D = dt.date


class TestNationalDay2026:
    """What chinesecalendar 1.11 reports for 2026 (checked against the package, not guessed)."""

    @pytest.mark.parametrize("day", [D(2026, 10, n) for n in range(1, 8)])
    def test_the_golden_week_is_off(self, db, day):
        assert not is_working_day(day)

    @pytest.mark.parametrize("day", [D(2026, 9, 20), D(2026, 10, 10)], ids=["sunday-sep-20", "saturday-oct-10"])
    def test_the_make_up_weekend_days_are_working_days(self, db, day):
        assert day.weekday() >= 5
        assert is_working_day(day)

    def test_counting_across_the_holiday_uses_the_make_up_saturday(self, db):
        calendar = WorkingCalendar()
        # Sep 29, Sep 30, (Oct 1-7 off), Oct 8, Oct 9, Sat Oct 10, Oct 12, Oct 13.
        assert calendar.add_working_days(D(2026, 9, 28), 7) == D(2026, 10, 13)
        assert not calendar.provisional

    def test_counting_back_across_the_holiday(self, db):
        calendar = WorkingCalendar()
        assert calendar.subtract_working_days(D(2026, 10, 8), 1) == D(2026, 9, 30)
        assert calendar.subtract_working_days(D(2026, 10, 12), 1) == D(2026, 10, 10)

    def test_working_days_between(self, db):
        # Sep 28, 29, 30, Oct 8, 9, 10 (make-up Saturday).
        assert WorkingCalendar().working_days_between(D(2026, 9, 28), D(2026, 10, 11)) == 6


def test_next_and_previous_working_day(db):
    calendar = WorkingCalendar()
    assert calendar.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert calendar.previous_working_day(D(2026, 10, 1)) == D(2026, 9, 30)
    assert calendar.next_working_day(D(2026, 11, 2)) == D(2026, 11, 2)
    assert calendar.add_working_days(D(2026, 11, 2), 0) == D(2026, 11, 2)


def test_the_office_local_entries_win_over_the_package(db):
    year = CalendarYear.objects.create(year=2026)
    CalendarDay.objects.create(year=year, date=D(2026, 11, 4), is_working_day=False, note="本地防汛停工")
    CalendarDay.objects.create(year=year, date=D(2026, 11, 7), is_working_day=True, note="本地补班")
    assert not is_working_day(D(2026, 11, 4))
    assert is_working_day(D(2026, 11, 7))


class TestUncoveredYear:
    def test_the_package_stops_at_2026(self):
        assert 2026 in PACKAGE_YEARS and 2027 not in PACKAGE_YEARS

    def test_2027_is_counted_on_weekdays_and_marked_provisional(self, db):
        calendar = WorkingCalendar()
        # Jan 1 2027 is a Friday: on weekdays alone it counts.
        assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
        assert calendar.provisional

    def test_a_covered_year_is_not_provisional(self, db):
        calendar = WorkingCalendar()
        calendar.add_working_days(D(2026, 11, 2), 10)
        assert not calendar.provisional

    def test_the_office_entered_schedule_covers_the_year(self, db):
        year = CalendarYear.objects.create(year=2027, official_schedule=True)
        CalendarDay.objects.create(year=year, date=D(2027, 1, 1), is_working_day=False, note="元旦")
        calendar = WorkingCalendar()
        assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert not calendar.provisional

    def test_entries_without_the_official_tick_apply_but_stay_provisional(self, db):
        year = CalendarYear.objects.create(year=2027)
        CalendarDay.objects.create(year=year, date=D(2027, 1, 1), is_working_day=False)
        calendar = WorkingCalendar()
        assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert calendar.provisional
