"""Every error has one shape: {"error": {"code", "message", "message_en", ["fields"], ["current_state"]}}."""

import logging

import pytest

from tickets.models import TicketState

pytestmark = pytest.mark.django_db


def error_of(response, status):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "message_en"}
    assert error["message"] and error["message_en"]
    return error


def test_validation_error_names_fields(make_ticket, office, api_for):
    error = error_of(api_for(office).post(f"/api/tickets/{make_ticket().number}/cancel/", {}, format="json"), 400)
    assert error["code"] == "invalid" and set(error["fields"]) == {"reason"}


def test_conflict_carries_the_current_state(make_ticket, office, api_for):
    ticket = make_ticket(TicketState.CANCELLED)
    error = error_of(api_for(office).post(f"/api/tickets/{ticket.number}/reopen/", {"reason": "x"},
                                          format="json"), 409)
    assert error == error | {"code": "conflict", "current_state": "cancelled"}


def test_malformed_json_is_400(make_ticket, office, api_for):
    response = api_for(office).generic("POST", f"/api/tickets/{make_ticket().number}/comment/", "{not json",
                                       content_type="application/json")
    assert error_of(response, 400)["code"] == "parse_error"


@pytest.mark.parametrize("body", [[], "text", 42, None, {"text": ["a", "b"]}, {"text": {"x": 1}}])
def test_unexpected_json_shapes_are_400(body, make_ticket, office, api_for):
    import json

    response = api_for(office).generic("POST", f"/api/tickets/{make_ticket().number}/comment/", json.dumps(body),
                                       content_type="application/json")
    assert error_of(response, 400)["code"] in {"invalid", "parse_error"}


def test_nul_bytes_and_huge_numbers_are_refused_not_500(segment, office, api_for):
    body = {"segment": "S\x00", "source": "patrol_finding", "category": "garbage", "description": "a\x00b",
            "latitude": "1e400", "received_on": "99999-01-01"}
    error = error_of(api_for(office).post("/api/tickets/", body, format="json"), 400)
    assert {"segment", "description", "latitude", "received_on"} <= set(error["fields"])
    assert error_of(api_for(office).get("/api/tickets/", {"q": "a\x00"}), 400)["code"] == "invalid"
    assert error_of(api_for(office).get("/api/areas/99999999999999999999999/"), 404)["code"] == "not_found"


def test_unsupported_media_type_and_method(make_ticket, office, api_for):
    client = api_for(office)
    number = make_ticket().number
    response = client.generic("POST", f"/api/tickets/{number}/comment/", "<x/>", content_type="application/xml")
    assert error_of(response, 415)["code"] == "unsupported_media_type"
    assert error_of(client.delete(f"/api/tickets/{number}/"), 405)["code"] == "method_not_allowed"


def test_english_message_is_always_there(make_ticket, office, api_for):
    response = api_for(office).post(f"/api/tickets/{make_ticket().number}/close/", {}, format="json",
                                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    error = error_of(response, 409)
    assert error["message_en"].isascii()


def test_unexpected_exception_is_logged_and_answers_500_in_the_shape(make_ticket, office, api_for, monkeypatch,
                                                                     caplog):
    from workflows import services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "comment_on_ticket", broken)
    client = api_for(office)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        response = client.post(f"/api/tickets/{make_ticket().number}/comment/", {"text": "x"}, format="json")
    assert error_of(response, 500)["code"] == "server_error"
    assert "boom" not in response.content.decode()
    assert any("Unexpected error" in r.getMessage() for r in caplog.records)
