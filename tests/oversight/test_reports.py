"""Every bulletin figure on the hand-computed March 2026 world (see scenario.py)."""

import pytest

from oversight import periods
from oversight.reports import build_report

from .scenario import NOW, clock

pytestmark = pytest.mark.django_db

MARCH = periods.month(2026, 3)


@pytest.fixture
def report(world):
    with clock(NOW):
        return build_report(MARCH)


def _chief(report, user):
    return next(row for row in report["chiefs"] if row["chief_id"] == user.pk)


def _area(report, area):
    return next(row for row in report["areas"] if row["area_id"] == area.pk)


def test_chief_a_figures(world, report):
    row = _chief(report, world.a)
    assert {k: row[k] for k in ["received", "closed", "closed_on_time", "still_open", "overdue", "escalated",
                                "rejected", "reopened", "extensions"]} == {
        "received": 4,        # T1 T2 T4 T5 (T3 was February's, T8 cancelled, T9 April's)
        "closed": 3,          # T1 T2 T4
        "closed_on_time": 2,  # T1, and T4 against its extended deadline; T2 was late
        "still_open": 2,      # T3 (reopened), T5
        "overdue": 1,         # T3; T5's clock is suspended
        "escalated": 0,
        "rejected": 1,        # T2
        "reopened": 1,        # T3
        "extensions": 1,      # T4
    }
    assert row["resolution_rate"] == pytest.approx(3 / 5)
    assert row["on_time_rate"] == pytest.approx(2 / 3)
    assert (row["patrol_done"], row["patrol_required"]) == (3, 5)
    assert row["patrol_rate"] == pytest.approx(0.6)


def test_chief_b_figures(world, report):
    row = _chief(report, world.b)
    assert (row["received"], row["closed"], row["still_open"], row["overdue"], row["escalated"]) == (1, 0, 1, 1, 1)
    assert row["high_escalation"] == 1
    assert row["resolution_rate"] == 0
    assert row["on_time_rate"] is None
    assert (row["patrol_done"], row["patrol_required"]) == (0, 5)


def test_township_chief_patrols_monthly(world, report):
    row = _chief(report, world.t)
    assert (row["patrol_done"], row["patrol_required"], row["patrol_rate"]) == (1, 1, 1.0)
    assert row["received"] == 0 and row["shortfalls"] == []


def test_area_rollup(world, report):
    v1, v2, county = _area(report, world.v1), _area(report, world.v2), _area(report, world.county)
    assert (v1["received"], v1["closed"], v1["still_open"], v1["overdue"]) == (4, 3, 2, 1)
    # T7 is not assigned yet: it counts for its area although it has no chief.
    assert (v2["received"], v2["closed"], v2["still_open"], v2["overdue"]) == (2, 0, 2, 1)
    assert (county["received"], county["closed"], county["still_open"], county["overdue"]) == (6, 3, 4, 2)
    assert county["resolution_rate"] == pytest.approx(3 / 7)
    assert (county["patrol_done"], county["patrol_required"]) == (4, 11)
    assert report["totals"]["received"] == 6
    assert [a["depth"] for a in report["areas"]] == [0, 1, 2, 2]


def test_named_chiefs(world, report):
    named = {item["name"]: item["reasons"] for item in report["named"]}
    assert set(named) == {"甲河长", "乙河长"}
    assert any("巡河不及时" in r and "2" in r for r in named["甲河长"])
    assert any("逾期" in r for r in named["甲河长"])
    assert any("退回 1 次" in r for r in named["甲河长"])
    assert any("提级督办" in r for r in named["乙河长"])


def test_report_for_one_area(world):
    with clock(NOW):
        report = build_report(MARCH, world.v2)
    assert {row["chief_id"] for row in report["chiefs"]} == {world.b.pk}
    assert report["totals"]["received"] == 2


def test_overdue_as_of_period_end_not_now(world):
    # Mid-March, T3 is already overdue but T6 (due 03-15) is not yet.
    with clock(NOW):
        report = build_report(periods.Period("month", MARCH.start, __import__("datetime").date(2026, 3, 14)))
    assert _chief(report, world.b)["overdue"] == 0
    assert _chief(report, world.a)["overdue"] == 1


def test_report_queries_do_not_grow_with_tickets(world, django_assert_max_num_queries):
    with clock(NOW), django_assert_max_num_queries(20):
        build_report(MARCH)
