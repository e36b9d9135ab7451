"""The patrol rate: duty periods per level, capped per period, invalid patrols not counted."""

import datetime as dt

import pytest

from patrols.duty import duty_periods
from patrols.models import PatrolDuty
from patrols.selectors import patrol_rates_by_chief
from tests.oversight.scenario import NOW, clock

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_weeks_belong_to_the_month_of_their_sunday():
    weeks = duty_periods("week", *MARCH)
    assert weeks[0] == (dt.date(2026, 2, 23), dt.date(2026, 3, 1))
    assert weeks[-1] == (dt.date(2026, 3, 23), dt.date(2026, 3, 29))
    assert len(weeks) == 5
    assert duty_periods("quarter", *MARCH) == [(dt.date(2026, 1, 1), dt.date(2026, 3, 31))]
    assert duty_periods("quarter", dt.date(2026, 2, 1), dt.date(2026, 3, 1)) == []


def test_rates_for_march(world):
    with clock(NOW):
        rates = patrol_rates_by_chief(start=MARCH[0], end=MARCH[1])
    # a: weeks 02-23 (patrol 02-28), 03-02 (two patrols, one counted), 03-09; 03-16 only an invalid one; 03-23 none.
    assert rates[world.a.pk] == {"required": 5, "done": 3, "missed": 2, "rate": 0.6}
    assert rates[world.b.pk]["rate"] == 0
    assert rates[world.t.pk] == {"required": 1, "done": 1, "missed": 0, "rate": 1.0}
    assert not world.invalid_patrol.is_valid


def test_duty_rules_are_configurable(world):
    PatrolDuty.objects.filter(level="village").update(frequency="month", patrols_per_period=2)
    with clock(NOW):
        rates = patrol_rates_by_chief(start=MARCH[0], end=MARCH[1])
    # March: four valid patrols by a, capped at two.
    assert rates[world.a.pk] == {"required": 2, "done": 2, "missed": 0, "rate": 1.0}


def test_a_chief_appointed_mid_period_owes_from_the_next(world):
    from tests.factories import AppointmentFactory

    late = AppointmentFactory(segment=world.s2, level="township", start_date=dt.date(2026, 3, 10)).chief
    with clock(NOW):
        rates = patrol_rates_by_chief(start=MARCH[0], end=MARCH[1])
    assert late.pk not in rates
