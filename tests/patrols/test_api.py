"""The phone app's patrol upload: a retried upload does not create two."""

import uuid

import pytest
from rest_framework.test import APIClient

from patrols.models import Patrol, PatrolFinding, PatrolPhoto
from tests.factories import AppointmentFactory, UserFactory, png_upload
from tests.oversight.scenario import at, clock

pytestmark = pytest.mark.django_db

URL = "/api/patrols/"


@pytest.fixture
def chief(segment):
    return AppointmentFactory(segment=segment, chief__username="chief").chief


@pytest.fixture
def api(chief):
    client = APIClient()
    client.force_authenticate(chief)
    return client


def _body(segment, key, **extra):
    return {
        "client_uuid": str(key), "segment": segment.code, "started_at": "2026-03-20T09:00:00+08:00",
        "ended_at": "2026-03-20T09:50:00+08:00", "distance_m": 3200, "notes": "正常",
        "track": [{"lat": 30.1, "lng": 120.1, "at": "2026-03-20T09:00:00+08:00"}, {"lat": 30.11, "lng": 120.1}],
        "findings": [{"category": "garbage", "description": "岸边垃圾"}], **extra,
    }


def test_retried_upload_creates_one_patrol(api, segment):
    key = uuid.uuid4()
    with clock(at(3, 20, 12)):
        first = api.post(URL, _body(segment, key), format="json")
        retry = api.post(URL, _body(segment, key), format="json")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert Patrol.objects.count() == 1 and PatrolFinding.objects.count() == 1
    body = first.json()
    assert body["is_valid"] is True and body["track_points"] == 2 and len(body["findings"]) == 1


def test_retry_with_idempotency_key_replays(api, segment):
    key = uuid.uuid4()
    with clock(at(3, 20, 12)):
        first = api.post(URL, _body(segment, key), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        retry = api.post(URL, _body(segment, key), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and retry.status_code == 201
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert Patrol.objects.count() == 1


def test_multipart_upload_with_photos(api, segment):
    import json

    body = _body(segment, uuid.uuid4())
    body["track"], body["findings"] = json.dumps(body["track"]), json.dumps(body["findings"])
    body["photos"] = [png_upload("a.png"), png_upload("b.png")]
    with clock(at(3, 20, 12)):
        response = api.post(URL, body, format="multipart")
    assert response.status_code == 201, response.content
    assert PatrolPhoto.objects.count() == 2 and response.json()["photos"] == ["a.png", "b.png"]


def test_invalid_patrol_is_stored_and_reported(api, segment):
    with clock(at(3, 20, 12)):
        response = api.post(URL, _body(segment, uuid.uuid4(), distance_m=300, ended_at="2026-03-20T09:10:00+08:00",
                                       findings=[]), format="json")
    assert response.status_code == 201
    assert response.json()["is_valid"] is False


def test_validation_errors_use_the_api_error_shape(api, segment):
    with clock(at(3, 20, 12)):
        response = api.post(URL, _body(segment, uuid.uuid4(), ended_at="2026-03-20T08:00:00+08:00"), format="json")
    assert response.status_code == 400
    assert "ended_at" in response.json()["error"]["fields"]
    assert not Patrol.objects.exists()


def test_list_and_detail_show_own_patrols_only(api, segment, chief):
    key = uuid.uuid4()
    with clock(at(3, 20, 12)):
        api.post(URL, _body(segment, key, findings=[]), format="json")
    assert api.get(f"{URL}{key}/").status_code == 200
    other = APIClient()
    other.force_authenticate(UserFactory(username="someone", roles=["chief"]))
    assert other.get(f"{URL}{key}/").status_code == 404
    listing = api.get(URL).json()
    assert len(listing.get("results", listing)) == 1
