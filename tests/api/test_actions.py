import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import AppointmentFactory, png_upload
from tests.racing import race
from tickets.models import Ticket, TicketEvent, TicketState
from workflows.services import flow_agrees_with_ticket

pytestmark = pytest.mark.django_db

IN_10_DAYS = str(timezone.localdate() + dt.timedelta(days=10))


def act(client, ticket, action, body=None, **extra):
    return client.post(f"/api/tickets/{ticket.number}/{action}/", body or {}, format="json", **extra)


def test_the_whole_flow_through_the_api(make_ticket, office, chief, verifier, api_for):
    ticket = make_ticket()
    o, c, v = api_for(office), api_for(chief), api_for(verifier)
    response = act(o, ticket, "assign", {"chief": chief.pk, "due_at": IN_10_DAYS, "instructions": "三日内清理"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "assigned" and response.json()["responsible_chief"]["id"] == chief.pk
    assert act(c, ticket, "start").json()["state"] == "rectifying"
    upload = c.post(f"/api/tickets/{ticket.number}/attachments/", {"file": png_upload(), "kind": "after"})
    assert upload.status_code == 201
    assert act(c, ticket, "submit", {"measures": "已清理完毕"}).json()["state"] == "submitted"
    assert act(v, ticket, "reject", {"reason": "仍有残留"}).json()["state"] == "rectifying"
    # The rejected round's photo proves nothing about the work done again: a new one is asked for.
    refused = act(c, ticket, "submit", {"measures": "再次清理"})
    assert refused.status_code == 400 and "attachments" in refused.content.decode(), refused.content
    upload = c.post(f"/api/tickets/{ticket.number}/attachments/", {"file": png_upload(), "kind": "after"})
    assert upload.status_code == 201
    assert act(c, ticket, "submit", {"measures": "再次清理"}).json()["state"] == "submitted"
    assert act(v, ticket, "verify", {"comment": "现场已核实"}).json()["state"] == "verified"
    assert act(o, ticket, "close").json()["state"] == "closed"
    data = act(o, ticket, "reopen", {"reason": "群众再次反映"}).json()
    assert data["state"] == "rectifying" and data["rejection_count"] == 1
    assert flow_agrees_with_ticket(Ticket.objects.get(pk=ticket.pk))


def test_cancel_reassign_deadline_and_comment(make_ticket, office, chief, segment, supervisor, api_for):
    ticket = make_ticket(TicketState.ASSIGNED, reporter=supervisor)
    o = api_for(office)
    other = AppointmentFactory(segment=segment, level="township").chief
    data = act(o, ticket, "reassign", {"chief": other.pk, "reason": "属镇级事权"}).json()
    assert data["responsible_chief"]["id"] == other.pk
    later = str(timezone.localdate() + dt.timedelta(days=20))
    data = act(o, ticket, "deadline", {"due_at": later, "reason": "汛期"}).json()
    assert data["due_at"].startswith(later)
    # The supervisor who reported it may comment; the comment is in the audit trail.
    data = act(api_for(supervisor), ticket, "comment", {"text": "请尽快处理"}).json()
    assert data["events"][-1]["kind"] == "commented" and data["events"][-1]["payload"]["text"] == "请尽快处理"
    assert act(o, ticket, "cancel", {"reason": "重复上报"}).json()["state"] == "cancelled"


@pytest.mark.parametrize(
    ("state", "who", "action", "body"),
    [
        (TicketState.REPORTED, "chief", "assign", {}),
        (TicketState.REPORTED, "supervisor", "cancel", {"reason": "x"}),
        (TicketState.ASSIGNED, "office", "start", {}),
        (TicketState.RECTIFYING, "verifier", "submit", {"measures": "x"}),
        (TicketState.SUBMITTED, "chief", "verify", {}),
        (TicketState.SUBMITTED, "chief", "reject", {"reason": "x"}),
        (TicketState.VERIFIED, "verifier", "close", {}),
        (TicketState.CLOSED, "chief", "reopen", {"reason": "x"}),
        (TicketState.ASSIGNED, "chief", "reassign", {}),
        (TicketState.ASSIGNED, "chief", "deadline", {}),
        (TicketState.ASSIGNED, "chief", "suspend", {"reason": "x"}),
        (TicketState.ASSIGNED, "office", "extension-request", {}),
    ],
)
def test_action_the_user_may_not_take_is_403(state, who, action, body, make_ticket, supervisor, api_for, request):
    ticket = make_ticket(state, reporter=supervisor)
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = act(api_for(request.getfixturevalue(who)), ticket, action, body)
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "forbidden"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


@pytest.mark.parametrize("action", ["assign", "verify", "close", "cancel", "comment", "suspend", "resume"])
def test_ticket_outside_scope_is_404_for_every_action(action, make_ticket, stranger, api_for):
    ticket = make_ticket()
    response = act(api_for(stranger), ticket, action, {"reason": "x", "text": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("state", "action", "body"),
    [
        (TicketState.REPORTED, "verify", {}),
        (TicketState.ASSIGNED, "close", {}),
        (TicketState.CLOSED, "cancel", {"reason": "x"}),
        (TicketState.REPORTED, "resume", {}),
    ],
)
def test_illegal_transition_is_409_with_the_current_state(state, action, body, make_ticket, office, api_for):
    ticket = make_ticket(state)
    response = act(api_for(office), ticket, action, body)
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["current_state"] == state


def test_repeating_an_action_is_409_not_a_second_event(make_ticket, office, chief, api_for):
    ticket = make_ticket()
    client = api_for(office)
    assert act(client, ticket, "assign", {"chief": chief.pk, "due_at": IN_10_DAYS}).status_code == 200
    response = act(client, ticket, "assign", {"chief": chief.pk, "due_at": IN_10_DAYS})
    assert response.status_code == 409 and response.json()["error"]["current_state"] == "assigned"
    assert TicketEvent.objects.filter(ticket=ticket, kind="assigned").count() == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"chief", "due_at"}),
        ({"chief": "abc", "due_at": "soon"}, {"chief", "due_at"}),
        ({"chief": 999999, "due_at": "0001-01-01"}, {"chief", "due_at"}),
        ({"chief": 2**70, "due_at": IN_10_DAYS}, {"chief"}),
    ],
)
def test_assign_input_errors_name_the_field(body, fields, make_ticket, office, api_for):
    response = act(api_for(office), make_ticket(), "assign", body)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields


def test_assign_domain_errors_name_the_field(make_ticket, office, other_chief, chief, api_for):
    ticket = make_ticket()
    client = api_for(office)
    response = act(client, ticket, "assign", {"chief": other_chief.pk, "due_at": IN_10_DAYS})
    assert response.status_code == 400 and set(response.json()["error"]["fields"]) == {"chief"}
    response = act(client, ticket, "assign", {"chief": chief.pk, "due_at": "2001-01-01"})
    assert response.status_code == 400 and set(response.json()["error"]["fields"]) == {"due_at"}


def test_submit_without_after_photo_names_attachments(make_ticket, chief, api_for):
    ticket = make_ticket(TicketState.RECTIFYING)
    response = act(api_for(chief), ticket, "submit", {"measures": "已清理"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"attachments"}


def test_extension_request_and_decision(make_ticket, office, chief, api_for):
    ticket = make_ticket(TicketState.RECTIFYING)
    later = str(timezone.localdate() + dt.timedelta(days=30))
    response = act(api_for(chief), ticket, "extension-request", {"reason": "等待设备", "proposed_due_at": later})
    assert response.status_code == 200, response.content
    assert response.json()["events"][-1]["kind"] == "extension_requested"
    assert "extension-decide" in api_for(office).get(f"/api/tickets/{ticket.number}/").json()["allowed_actions"]
    response = act(api_for(office), ticket, "extension-decide", {"decision": "approve"})
    assert response.status_code == 200, response.content
    assert response.json()["due_at"].startswith(later)
    # Nothing left to decide.
    response = act(api_for(office), ticket, "extension-decide", {"decision": "refuse", "comment": "x"})
    assert response.status_code == 409


def test_extension_refusal_needs_a_reason(make_ticket, office, chief, api_for):
    ticket = make_ticket(TicketState.RECTIFYING)
    later = str(timezone.localdate() + dt.timedelta(days=30))
    act(api_for(chief), ticket, "extension-request", {"reason": "等待设备", "proposed_due_at": later})
    response = act(api_for(office), ticket, "extension-decide", {"decision": "refuse"})
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    response = act(api_for(office), ticket, "extension-decide", {"decision": "refuse", "comment": "理由不足"})
    assert response.status_code == 200
    assert response.json()["events"][-1]["kind"] == "extension_refused"


def test_suspend_and_resume(make_ticket, office, api_for):
    ticket = make_ticket(TicketState.ASSIGNED)
    client = api_for(office)
    assert act(client, ticket, "suspend", {"reason": "等待第三方鉴定"}).status_code == 200
    assert act(client, ticket, "suspend", {"reason": "again"}).status_code == 409
    response = act(client, ticket, "resume")
    assert response.status_code == 200
    assert [e["kind"] for e in response.json()["events"]][-2:] == ["suspended", "resumed"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_raced_action_one_wins_the_other_gets_409(make_ticket, office, verifier, api_for):
    """Two verifiers press "verify" at the same moment: one verifies, the other gets 409."""
    ticket = make_ticket(TicketState.SUBMITTED)
    clients = [api_for(office), api_for(verifier)]
    results = race(*[lambda client=client: act(client, ticket, "verify", {"comment": "ok"}) for client in clients])
    assert sorted(r.status_code for r in results) == [200, 409]
    loser = next(r for r in results if r.status_code == 409).json()["error"]
    assert loser["code"] == "conflict" and loser["current_state"] in {"verified", "submitted"}
    assert TicketEvent.objects.filter(ticket=ticket, kind="verified").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.VERIFIED
