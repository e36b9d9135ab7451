import datetime as dt

import pytest
from django.utils import timezone

from api.models import IdempotencyRecord
from tests.factories import png_upload
from tests.racing import race
from tickets.models import Ticket, TicketEvent, TicketState

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_ticket_body(segment):
    return {"segment": segment.code, "source": "patrol_finding", "category": "garbage", "description": "岸边垃圾"}


def test_retried_create_returns_the_first_result_and_opens_one_ticket(new_ticket_body, chief, api_for):
    client = api_for(chief)
    first = client.post("/api/tickets/", new_ticket_body, format="json", HTTP_IDEMPOTENCY_KEY="phone-1-0001")
    again = client.post("/api/tickets/", new_ticket_body, format="json", HTTP_IDEMPOTENCY_KEY="phone-1-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_retried_action_acts_once(make_ticket, office, chief, api_for):
    ticket = make_ticket()
    body = {"chief": chief.pk, "due_at": str(timezone.localdate() + dt.timedelta(days=5))}
    client = api_for(office)
    responses = [
        client.post(f"/api/tickets/{ticket.number}/assign/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        for _ in range(3)
    ]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert TicketEvent.objects.filter(ticket=ticket, kind="assigned").count() == 1


def test_retried_upload_stores_one_file(make_ticket, chief, api_for):
    ticket = make_ticket(TicketState.RECTIFYING)
    client = api_for(chief)
    url = f"/api/tickets/{ticket.number}/attachments/"
    ids = {
        client.post(url, {"file": png_upload(), "kind": "after"}, HTTP_IDEMPOTENCY_KEY="upload-1").json()["id"]
        for _ in range(2)
    }
    assert len(ids) == 1
    assert ticket.attachments.count() == 1


def test_same_key_for_another_request_is_422(new_ticket_body, chief, api_for):
    client = api_for(chief)
    client.post("/api/tickets/", new_ticket_body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post("/api/tickets/", new_ticket_body | {"description": "另一件事"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_a_failed_request_does_not_use_up_its_key(new_ticket_body, chief, api_for):
    client = api_for(chief)
    bad = client.post("/api/tickets/", new_ticket_body | {"segment": "NOPE"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = client.post("/api/tickets/", new_ticket_body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


def test_keys_belong_to_their_user(new_ticket_body, chief, office, api_for):
    api_for(chief).post("/api/tickets/", new_ticket_body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    response = api_for(office).post("/api/tickets/", new_ticket_body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("key", ["x" * 201, "a\x00b", "tab\there"])
def test_overlong_or_unprintable_key_is_400(key, new_ticket_body, chief, api_for):
    response = api_for(chief).post("/api/tickets/", new_ticket_body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_without_key_each_post_acts(new_ticket_body, chief, api_for):
    client = api_for(chief)
    client.post("/api/tickets/", new_ticket_body, format="json")
    client.post("/api/tickets/", new_ticket_body, format="json")
    assert Ticket.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_act_once(make_ticket, office, chief, api_for):
    """A phone that fires the same request twice at once: one assignment, both get its result."""
    ticket = make_ticket()
    body = {"chief": chief.pk, "due_at": str(timezone.localdate() + dt.timedelta(days=5))}
    client = api_for(office)

    def send():
        return client.post(f"/api/tickets/{ticket.number}/assign/", body, format="json",
                           HTTP_IDEMPOTENCY_KEY="double-tap")

    results = race(send, send)
    assert [r.status_code for r in results] == [200, 200]
    assert results[0].json() == results[1].json()
    assert TicketEvent.objects.filter(ticket=ticket, kind="assigned").count() == 1
