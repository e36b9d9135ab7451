import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import AppointmentFactory, SegmentFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/areas/", "/api/rivers/", "/api/segments/", "/api/chiefs/"]


@pytest.mark.parametrize("who", ["office", "chief", "supervisor", "nobody"])
@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_user_reads_the_organisation(url, who, request, api_for):
    request.getfixturevalue("chief")
    response = api_for(request.getfixturevalue(who)).get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= 1


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_gets_401(url, db):
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_it_is_read_only(url, office, api_for):
    assert api_for(office).post(url, {}, format="json").status_code == 405


def test_detail_and_404(segment, chief, office, api_for):
    client = api_for(office)
    data = client.get(f"/api/segments/{segment.pk}/").json()
    assert data["code"] == segment.code and data["river"]["code"] == segment.river.code
    chief_data = client.get(f"/api/chiefs/{chief.pk}/").json()
    assert chief_data["appointments"] == [
        {"segment": segment.code, "segment_name": segment.name, "level": "village", "level_display": "村级",
         "start_date": "2020-01-01"}
    ]
    assert client.get("/api/segments/99999/").status_code == 404
    # An office user who holds no segment is not a chief.
    assert client.get(f"/api/chiefs/{office.pk}/").status_code == 404


def test_segments_filter_by_river(segment, office, api_for):
    SegmentFactory()
    rows = api_for(office).get("/api/segments/", {"river": segment.river_id}).json()["results"]
    assert [r["code"] for r in rows] == [segment.code]


@pytest.mark.parametrize("url", ["/api/chiefs/?page_size=100", "/api/segments/?page_size=100"])
def test_list_costs_the_same_at_10_and_100(url, office, api_for, django_assert_num_queries, steady_token_clock):
    client = api_for(office)
    for _ in range(10):
        AppointmentFactory()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for _ in range(90):
        AppointmentFactory()
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert client.get(url).json()["count"] == 100
