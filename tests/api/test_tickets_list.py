import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import SegmentFactory
from tickets.models import TicketState

pytestmark = pytest.mark.django_db


def numbers(response):
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


@pytest.fixture
def three(make_ticket, office, supervisor):
    """One ticket assigned to the chief, one reported by the supervisor, one on another segment."""
    assigned = make_ticket(TicketState.ASSIGNED)
    reported = make_ticket(reporter=supervisor)
    elsewhere = make_ticket(segment=SegmentFactory())
    return assigned, reported, elsewhere


def test_office_sees_every_ticket(three, office, api_for):
    assert numbers(api_for(office).get("/api/tickets/")) == {t.number for t in three}


def test_chief_sees_what_the_ui_shows_them(three, chief, api_for):
    assigned, reported, _elsewhere = three
    # Both tickets lie on the chief's segment; the one elsewhere is not theirs.
    assert numbers(api_for(chief).get("/api/tickets/")) == {assigned.number, reported.number}


def test_supervisor_sees_what_they_reported(three, supervisor, api_for):
    assert numbers(api_for(supervisor).get("/api/tickets/")) == {three[1].number}


def test_user_without_role_sees_nothing(three, nobody, api_for):
    assert numbers(api_for(nobody).get("/api/tickets/")) == set()


def test_anonymous_gets_401_in_the_error_shape(three):
    response = APIClient().get("/api/tickets/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_session_login_works_for_the_web_ui(three, office):
    client = APIClient()
    client.force_login(office)
    assert numbers(client.get("/api/tickets/")) == {t.number for t in three}


def test_filters_search_and_ordering_are_the_uis(three, office, api_for):
    assigned, reported, elsewhere = three
    client = api_for(office)
    assert numbers(client.get("/api/tickets/", {"state": "assigned"})) == {assigned.number}
    assert numbers(client.get("/api/tickets/", {"state": ["assigned", "reported"]})) == {t.number for t in three}
    assert numbers(client.get("/api/tickets/", {"q": assigned.number})) == {assigned.number}
    assert numbers(client.get("/api/tickets/", {"area": elsewhere.segment.area_id})) == {elsewhere.number}
    assert numbers(client.get("/api/tickets/", {"overdue": "true"})) == set()
    rows = client.get("/api/tickets/", {"ordering": "number"}).json()["results"]
    assert [r["number"] for r in rows] == sorted(t.number for t in three)
    rows = client.get("/api/tickets/", {"ordering": "-number"}).json()["results"]
    assert [r["number"] for r in rows] == sorted((t.number for t in three), reverse=True)


def test_overdue_flag_and_filter(make_ticket, office, api_for, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    ticket = make_ticket(TicketState.ASSIGNED)
    later = timezone.now() + dt.timedelta(days=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    rows = api_for(office).get("/api/tickets/", {"overdue": "true"}).json()["results"]
    assert [(r["number"], r["overdue"]) for r in rows] == [(ticket.number, True)]


def test_bad_filter_value_names_the_field(three, office, api_for):
    response = api_for(office).get("/api/tickets/", {"state": "nonsense", "reported_from": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"state", "reported_from"}


def test_pages_are_capped(make_ticket, office, api_for):
    for _ in range(3):
        make_ticket()
    client = api_for(office)
    page = client.get("/api/tickets/", {"page_size": 2}).json()
    assert page["count"] == 3 and page["count_exact"] is True and len(page["results"]) == 2 and page["next"]
    assert client.get("/api/tickets/", {"page": 99}).status_code == 404
    from api.pagination import PageNumber

    assert PageNumber.max_page_size == 100


def test_counts_stop_at_the_cap_and_pages_go_on(make_ticket, office, api_for, monkeypatch,
                                               django_assert_num_queries, steady_token_clock):
    from api.pagination import CappedPaginator

    made = sorted((make_ticket() for _ in range(5)), key=lambda t: t.reported_at, reverse=True)
    client = api_for(office)
    client.get("/api/tickets/")  # the token's last-used time: not part of a page's cost
    with django_assert_num_queries(4) as exact:
        client.get("/api/tickets/", {"page_size": 2})
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    seen = []
    url, params = "/api/tickets/", {"page_size": 2}
    while url:
        # The same queries as an exact count: the count, then one page (one row more than it shows).
        with django_assert_num_queries(len(exact.captured_queries)):
            page = client.get(url, params).json()
        assert (page["count"], page["count_exact"]) == (3, False)  # "at least 3"
        seen += [row["number"] for row in page["results"]]
        url, params = page["next"], None
    assert seen == [t.number for t in made]  # page 3 lies past the cap and is still served, and is the last
    assert client.get("/api/tickets/", {"page_size": 2, "page": 4}).status_code == 404
    assert client.get("/api/tickets/", {"page_size": 2, "page": 0}).status_code == 404
    assert client.get("/api/tickets/", {"page_size": 2, "page": "x"}).status_code == 404
    monkeypatch.setattr(CappedPaginator, "cap", 5)  # exactly the cap: the count is exact
    page = client.get("/api/tickets/", {"page_size": 2}).json()
    assert (page["count"], page["count_exact"]) == (5, True)


def test_schema_states_that_counts_may_be_a_lower_bound(office, api_for):
    document = api_for(office).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listing = document["components"]["schemas"]["PaginatedTicketListOutList"]
    assert {"count", "count_exact", "results"} <= set(listing["required"])
    assert listing["properties"]["count_exact"]["type"] == "boolean"
    assert "at least" in listing["properties"]["count"]["description"]


def test_create_by_office_supervisor_and_chief(segment, office, supervisor, chief, api_for):
    body = {"segment": segment.code, "source": "supervisor_feedback", "category": "garbage", "description": "漂浮物"}
    for user, source in [(office, "supervisor_feedback"), (supervisor, "supervisor_feedback"),
                         (chief, "patrol_finding")]:
        response = api_for(user).post("/api/tickets/", body | {"source": source}, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["state"] == "reported" and data["reporter"]["id"] == user.pk
        assert [e["kind"] for e in data["events"]] == ["created"]
        assert data["allowed_actions"]  # at least "comment"


def test_create_opens_the_flow(segment, office, api_for):
    from tickets.models import Ticket
    from workflows.services import flow_agrees_with_ticket

    body = {"segment": segment.code, "source": "supervisor_feedback", "category": "garbage", "description": "x"}
    number = api_for(office).post("/api/tickets/", body, format="json").json()["number"]
    assert flow_agrees_with_ticket(Ticket.objects.get(number=number))


def test_create_forbidden_for_user_without_role(segment, nobody, api_for):
    body = {"segment": segment.code, "source": "supervisor_feedback", "category": "garbage", "description": "x"}
    response = api_for(nobody).post("/api/tickets/", body, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_create_validation_names_fields(segment, office, api_for):
    response = api_for(office).post(
        "/api/tickets/", {"segment": "NOPE", "source": "x", "category": "garbage", "latitude": 91}, format="json"
    )
    assert response.status_code == 400
    assert {"segment", "source", "description", "latitude"} <= set(response.json()["error"]["fields"])


def test_create_domain_validation_names_fields(segment, office, api_for):
    # The service's own rules (a procuratorate advice needs its reference number) come back the same way.
    body = {"segment": segment.code, "source": "procuratorate_advice", "category": "garbage", "description": "x"}
    response = api_for(office).post("/api/tickets/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"source_reference"}


def _count(client, url):
    client.get(url)  # the token's last-used time is written at most once a minute: not part of a page's cost
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/tickets/?page_size=100", "/api/me/tasks/?page_size=100"])
def test_list_costs_the_same_at_10_and_100_tickets(url, make_ticket, segment, office, chief, api_for,
                                                   django_assert_num_queries,
                                                   steady_token_clock):
    from tests.factories import AppointmentFactory

    # Two chiefs, so rows differ in what they load.
    second = AppointmentFactory(segment=SegmentFactory()).chief
    client = api_for(office)
    for i in range(10):
        make_ticket(TicketState.ASSIGNED if i % 2 else TicketState.REPORTED)
    at_10 = _count(client, url)
    for i in range(90):
        if i % 3 == 0:
            make_ticket(TicketState.ASSIGNED, chief=second, segment=second.appointments.get().segment)
        else:
            make_ticket(TicketState.ASSIGNED if i % 2 else TicketState.REPORTED)
    with django_assert_num_queries(at_10):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] > 30  # the page really grew
