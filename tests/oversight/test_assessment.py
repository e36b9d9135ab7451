"""Assessment scores from the office's weights, ranked; exportable."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oversight import periods
from oversight.assessment import assess
from oversight.models import AssessmentWeights

from .scenario import NOW, clock

pytestmark = pytest.mark.django_db

Q1 = periods.quarter(2026, 1)


def test_scores_and_ranking(world):
    # Q1 = March's figures plus January/February: a's T3 was closed in February and reopened in March.
    with clock(NOW):
        rows = {r["name"]: r for r in assess(Q1)}
    a, b, t = rows["甲河长"], rows["乙河长"], rows["丙河长"]
    # t: patrols only (Jan, Feb, Mar owed; done in March) -> 1/3
    assert t["components"]["patrol_rate"] == pytest.approx(1 / 3)
    assert t["score"] == pytest.approx(33.3)
    # b: patrol 0/13 weeks, resolution 0/1, no closed ticket (on-time n/a), escalation 1 - 1/1 = 0
    assert b["score"] == 0.0
    # a: 13 weekly duties in Q1 (weeks ending 01-04 .. 03-29), 3 done; 3 closed of 5; 2 of 3 on time; no escalation.
    assert a["patrol_required"] == 13 and a["patrol_done"] == 3
    expected = (40 * 3 / 13 + 30 * 3 / 5 + 20 * 2 / 3 + 10 * 1) / 100 * 100
    assert a["score"] == pytest.approx(round(expected, 1))
    assert [r["name"] for r in sorted(rows.values(), key=lambda r: r["rank"])] == ["甲河长", "丙河长", "乙河长"]


def test_weights_change_the_ranking(world):
    AssessmentWeights.objects.update_or_create(pk=1, defaults={"patrol_rate": 100, "resolution_rate": 0,
                                                               "on_time_rate": 0, "escalation": 0})
    with clock(NOW):
        ranked = assess(Q1)
    assert [r["name"] for r in ranked] == ["丙河长", "甲河长", "乙河长"]
    assert [r["rank"] for r in ranked] == [1, 2, 3]


def test_page_export_and_weights_form(client, world):
    client.force_login(world.office)
    with clock(NOW):
        page = client.get(reverse("oversight:assessment"), {"period": "2026-Q1"})
        assert "甲河长" in page.content.decode()
        response = client.get(reverse("oversight:assessment"), {"period": "2026-Q1", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["名次", "河长", "得分"]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["甲河长", "丙河长", "乙河长"]
    client.force_login(world.office)
    client.post(reverse("oversight:assessment"), {"patrol_rate": 50, "resolution_rate": 50, "on_time_rate": 0,
                                                  "escalation": 0})
    assert AssessmentWeights.current().patrol_rate == 50
    assert client.get(reverse("oversight:assessment"), {"period": "2026-03"}).status_code == 200  # form error shown


def test_chief_may_not_see_the_assessment(client, world):
    client.force_login(world.a)
    assert client.get(reverse("oversight:assessment")).status_code == 403
