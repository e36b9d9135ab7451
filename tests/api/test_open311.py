"""Open311 GeoReport v2, checked against the standard's own JSON schemas (shared/standards/open311-georeport-v2)."""

import datetime as dt
import json
import os
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from django.conf import settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from rest_framework.test import APIClient

from api.auth import token_issue
from tests.factories import UserFactory
from tickets.models import Category, Ticket, TicketState
from workflows import services

from .conftest import flow_ticket

pytestmark = pytest.mark.django_db

STANDARD = Path(os.environ.get("OPEN311_SCHEMAS_DIR")
                or Path(settings.BASE_DIR).parent / "shared" / "standards" / "open311-georeport-v2")
FILES = ["services.json", "service.json", "service-definition.json", "requests.json", "request.json"]


@pytest.fixture(scope="module")
def standard():
    if not (STANDARD / "request.json").exists():
        pytest.skip(f"the Open311 schemas are not at {STANDARD}")
    contents = {name: json.loads((STANDARD / name).read_text()) for name in FILES}
    swagger = json.loads((STANDARD / "swagger.json").read_text())
    contents["RequestResponse"] = {"type": "array", "items": swagger["definitions"]["RequestResponse"]}
    contents["TokenResponse"] = {"type": "array", "items": swagger["definitions"]["TokenResponse"]}
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT7)) for name, schema in contents.items()
    )

    def validate(instance, name):
        validator = jsonschema.Draft7Validator(contents[name], registry=registry,
                                               format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        validator.validate(instance)
        # No date-time format checker is installed: check the datetimes the standard names ourselves.
        for item in instance if isinstance(instance, list) else [instance]:
            for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
                if item.get(field) is not None:
                    assert dt.datetime.fromisoformat(item[field]).tzinfo is not None
        return instance

    return validate


@pytest.fixture
def api_key(db):
    """A city platform's account: a social-supervisor user whose API token is its api_key."""
    user = UserFactory(username="city-platform", roles=["social_supervisor"])
    return token_issue(actor=user, user=user, name="城市平台")[1]


def test_services_and_definitions(standard, segment):
    client = APIClient()
    services_json = standard(client.get("/open311/v2/services.json").json(), "services.json")
    assert {s["service_code"] for s in services_json} == set(Category.values)
    dumping = next(s for s in services_json if s["service_code"] == "illegal_dumping")
    assert dumping["service_name"] == "乱堆" and dumping["group"] == "四乱" and dumping["type"] == "realtime"
    definition = standard(client.get("/open311/v2/services/illegal_dumping.json").json(), "service-definition.json")
    assert definition["attributes"][0]["code"] == "segment"
    assert {v["key"] for v in definition["attributes"][0]["values"]} == {segment.code}
    assert client.get("/open311/v2/services/nonsense.json").status_code == 404


def test_round_trip_create_list_fetch_and_see_it_closed(standard, api_key, segment, office, chief):
    client = APIClient()
    posted = client.post("/open311/v2/requests.json", {
        "api_key": api_key, "service_code": "garbage", "lat": "30.123456", "long": "120.654321",
        "address_string": "东桥下游 200 米", "description": "河面漂浮大量塑料垃圾", "attribute[segment]": segment.code,
    })
    assert posted.status_code == 200, posted.content
    created = standard(posted.json(), "RequestResponse")
    number = created[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    assert (ticket.source, ticket.segment, ticket.category) == ("public_report", segment, "garbage")
    assert ticket.reporter.username == "city-platform"

    listed = standard(client.get("/open311/v2/requests.json").json(), "requests.json")
    assert [r["service_request_id"] for r in listed] == [number]
    fetched = standard(client.get(f"/open311/v2/requests/{number}.json").json(), "requests.json")[0]
    assert fetched["status"] == "open" and fetched["lat"] == pytest.approx(30.123456)
    assert fetched["address"] == "东桥下游 200 米" and fetched["service_name"] == "河道垃圾"
    token = standard(client.get(f"/open311/v2/tokens/{number}.json").json(), "TokenResponse")
    assert token == [{"service_request_id": number, "token": number}]

    # The office takes it through the flow to closing.
    due = dt.date.today() + dt.timedelta(days=7)
    services.assign_ticket(ticket=ticket, actor=office, chief=chief, due_at=due)
    assigned = standard(client.get(f"/open311/v2/requests/{number}.json").json(), "requests.json")[0]
    assert assigned["expected_datetime"].startswith(str(due)) and assigned["agency_responsible"].endswith("村级河长")
    from tests.factories import png_upload

    services.start_rectification(ticket=ticket, actor=chief)
    services.submit_rectification(ticket=ticket, actor=chief, measures="已打捞", after_photos=[png_upload()])
    services.verify_ticket(ticket=ticket, actor=office)
    services.close_ticket(ticket=ticket, actor=office, comment="已清理干净")
    closed = standard(client.get(f"/open311/v2/requests/{number}.json").json(), "requests.json")[0]
    assert closed["status"] == "closed" and "已清理干净" in closed["status_notes"]
    assert standard(client.get("/open311/v2/requests.json", {"status": "closed"}).json(), "requests.json")
    assert client.get("/open311/v2/requests.json", {"status": "open"}).json() == []


def test_xml_uses_the_standards_element_names(api_key, segment):
    client = APIClient()
    services_xml = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)
    assert services_xml.tag == "services" and services_xml[0].tag == "service"
    assert services_xml[0].find("service_code").text in Category.values
    assert services_xml[0].find("metadata").text == "true"
    posted = client.post("/open311/v2/requests.xml", {"api_key": api_key, "service_code": "garbage",
                                                       "address_string": "西岸", "attribute[segment]": segment.code})
    assert posted.status_code == 200 and posted["Content-Type"].startswith("text/xml")
    created = ElementTree.fromstring(posted.content)
    assert created.tag == "service_requests" and created[0].tag == "request"
    number = created[0].find("service_request_id").text
    one = ElementTree.fromstring(client.get(f"/open311/v2/requests/{number}.xml").content)
    assert one.tag == "service_requests" and one[0].find("status").text == "open"
    definition = ElementTree.fromstring(client.get("/open311/v2/services/garbage.xml").content)
    assert definition.tag == "service_definition"
    assert definition.find("attributes/attribute/values/value/key").text == segment.code
    error = ElementTree.fromstring(client.get("/open311/v2/requests/ZG-1-1.xml").content)
    assert error.tag == "errors" and error.find("error/code").text == "404"


def test_default_segment_setting(api_key, segment, settings):
    client = APIClient()
    body = {"api_key": api_key, "service_code": "garbage", "lat": "30", "long": "120"}
    response = client.post("/open311/v2/requests.json", body)
    assert response.status_code == 400 and "segment" in response.json()[0]["description"]
    settings.OPEN311_DEFAULT_SEGMENT_CODE = segment.code
    response = client.post("/open311/v2/requests.json", body)
    assert response.status_code == 200
    assert Ticket.objects.get(number=response.json()[0]["service_request_id"]).segment == segment


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"service_code": "garbage", "address_string": "x"}, 403),  # no api_key
        ({"api_key": "hz_wrong", "service_code": "garbage", "address_string": "x"}, 403),
        ({"service_code": "nonsense", "address_string": "x"}, 400),
        ({"service_code": "garbage"}, 400),  # no location
        ({"service_code": "garbage", "lat": "30"}, 400),  # lat without long
        ({"service_code": "garbage", "lat": "nan", "long": "120"}, 400),
        ({"service_code": "garbage", "address_string": "x", "attribute[segment]": "NOPE"}, 400),
    ],
)
def test_create_errors_in_the_standards_shape(body, status, api_key, segment):
    body = {"api_key": api_key} | body if "api_key" not in body and status != 403 else body
    response = APIClient().post("/open311/v2/requests.json", body)
    assert response.status_code == status, response.content
    error = response.json()
    assert error[0]["code"] == status and error[0]["description"]
    assert not Ticket.objects.exists()


def test_key_of_a_user_who_may_not_report_is_403(segment, nobody):
    key = token_issue(actor=nobody, user=nobody, name="x")[1]
    response = APIClient().post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "garbage", "address_string": "x", "attribute[segment]": segment.code})
    assert response.status_code == 403


def test_only_public_reports_are_published(standard, office, chief, segment, api_key):
    flow_ticket(TicketState.REPORTED, office=office, chief=chief, segment=segment, source="supervisor_feedback")
    client = APIClient()
    assert client.get("/open311/v2/requests.json").json() == []
    hidden = Ticket.objects.get()
    assert client.get(f"/open311/v2/requests/{hidden.number}.json").status_code == 404
    assert client.get(f"/open311/v2/tokens/{hidden.number}.json").status_code == 404


def test_list_filters(standard, api_key, segment):
    client = APIClient()
    numbers = []
    for code in ("garbage", "illegal_dumping"):
        response = client.post("/open311/v2/requests.json", {"api_key": api_key, "service_code": code,
                                                              "address_string": "x", "attribute[segment]": segment.code})
        numbers.append(response.json()[0]["service_request_id"])
    get = lambda **q: standard(client.get("/open311/v2/requests.json", q).json(), "requests.json")  # noqa: E731
    assert [r["service_request_id"] for r in get(service_code="illegal_dumping")] == [numbers[1]]
    assert {r["service_request_id"] for r in get(service_request_id=",".join(numbers))} == set(numbers)
    assert get(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    assert len(get(end_date=(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat())) == 2
    too_wide = client.get("/open311/v2/requests.json", {"start_date": "2024-01-01T00:00:00Z",
                                                        "end_date": "2024-12-01T00:00:00Z"})
    assert too_wide.status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400


def test_retried_post_with_idempotency_key_creates_one_ticket(api_key, segment):
    client = APIClient()
    body = {"api_key": api_key, "service_code": "garbage", "address_string": "x", "attribute[segment]": segment.code}
    first = client.post("/open311/v2/requests.json", body, HTTP_IDEMPOTENCY_KEY="batch-7-item-3")
    again = client.post("/open311/v2/requests.json", body, HTTP_IDEMPOTENCY_KEY="batch-7-item-3")
    assert first.json() == again.json()
    assert Ticket.objects.count() == 1
