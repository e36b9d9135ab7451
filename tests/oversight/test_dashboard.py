import pytest
from django.urls import reverse

from oversight.dashboard import dashboard_data

from .scenario import NOW, clock

pytestmark = pytest.mark.django_db


def test_dashboard_series(world):
    with clock(NOW):
        data = dashboard_data()
    state = dict(zip(data["state"]["labels"], data["state"]["values"], strict=True))
    assert state["已销号"] == 3 and state["已撤销"] == 1 and state["待交办"] == 2
    trend = dict(zip(data["trend"]["labels"], zip(data["trend"]["received"], data["trend"]["closed"], strict=True),
                     strict=True))
    assert trend["2026-03"] == (7, 3) and trend["2026-02"] == (1, 0) and trend["2026-04"] == (1, 0)
    assert dict(zip(data["overdue"]["labels"], data["overdue"]["values"], strict=True)) == {"一村": 1, "二村": 1}  # T5's clock is suspended
    assert data["rates"]["labels"] == ["城关县", "河西镇"]


def test_dashboard_page_uses_the_vendored_chart_library(client, world):
    client.force_login(world.office)
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert "oversight/chart.umd.min.js" in page and "hz-dashboard-data" in page
    client.force_login(world.a)
    assert client.get(reverse("oversight:dashboard")).status_code == 403
