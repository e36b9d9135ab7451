"""workflows.actions: the buttons a viewer gets, for every state and every kind of viewer."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import AppointmentFactory, UserFactory, png_upload
from tickets import services as ticket_services
from tickets.models import AreaLevel, TicketState
from workflows import services
from workflows.actions import ALLOWED, FORBIDDEN, WRONG_STATE, action_status, available_actions

pytestmark = pytest.mark.django_db


def drive(state, *, office, chief, segment, reporter):
    """A ticket moved through the workflow services (ticket and flow together) up to ``state``."""
    ticket = services.open_ticket(
        reporter=reporter, segment=segment, source="supervisor_feedback", category="garbage",
        description="河道内有垃圾",
    )
    steps = [
        (TicketState.ASSIGNED, lambda t: services.assign_ticket(
            ticket=t, actor=office, chief=chief, due_at=timezone.localdate() + dt.timedelta(days=10))),
        (TicketState.RECTIFYING, lambda t: services.start_rectification(ticket=t, actor=chief)),
        (TicketState.SUBMITTED, lambda t: services.submit_rectification(
            ticket=t, actor=chief, measures="已清理", after_photos=[png_upload("after.png")])),
        (TicketState.VERIFIED, lambda t: services.verify_ticket(ticket=t, actor=office)),
        (TicketState.CLOSED, lambda t: services.close_ticket(ticket=t, actor=office)),
    ]
    if state == TicketState.CANCELLED:
        return services.cancel_ticket(ticket=ticket, actor=office, reason="重复上报")
    for reached, step in steps:
        if ticket.state == state:
            break
        ticket = step(ticket)
        assert ticket.state == reached
    return ticket


@pytest.fixture
def people(office, verifier, supervisor, chief, other_chief, segment):
    township = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="township").chief
    return {
        "office": office,
        "verifier": verifier,
        "supervisor": supervisor,  # the reporter
        "chief": chief,  # the responsible village chief
        "township": township,  # superior on the same segment: sees, does not act
        "other_chief": other_chief,  # a chief elsewhere: sees nothing
    }


EXPECTED = {
    TicketState.REPORTED: {
        "office": {"assign", "cancel", "attach", "comment"},
        "verifier": {"attach", "comment"},
        "supervisor": {"attach", "comment"},
        "chief": {"comment"},
        "township": {"comment"},
        "other_chief": set(),
    },
    TicketState.ASSIGNED: {
        "office": {"reassign", "deadline", "cancel", "attach", "comment"},
        "verifier": {"attach", "comment"},
        "supervisor": {"attach", "comment"},
        "chief": {"start", "attach", "comment"},
        "township": {"comment"},
        "other_chief": set(),
    },
    TicketState.RECTIFYING: {
        "office": {"reassign", "deadline", "attach", "comment"},
        "verifier": {"attach", "comment"},
        "supervisor": {"attach", "comment"},
        "chief": {"submit", "attach", "comment"},
        "township": {"comment"},
        "other_chief": set(),
    },
    TicketState.SUBMITTED: {
        "office": {"verify", "reject", "deadline", "attach", "comment"},
        "verifier": {"verify", "reject", "attach", "comment"},
        "supervisor": {"attach", "comment"},
        "chief": {"attach", "comment"},
        "township": {"comment"},
        "other_chief": set(),
    },
    TicketState.VERIFIED: {
        "office": {"close", "attach", "comment"},
        "verifier": {"attach", "comment"},
        "supervisor": {"attach", "comment"},
        "chief": {"attach", "comment"},
        "township": {"comment"},
        "other_chief": set(),
    },
    # A closed or cancelled ticket's evidence is final: nobody attaches any more.
    TicketState.CLOSED: {
        "office": {"reopen", "comment"},
        "verifier": {"comment"},
        "supervisor": {"comment"},
        "chief": {"comment"},
        "township": {"comment"},
        "other_chief": set(),
    },
    TicketState.CANCELLED: {
        "office": {"comment"},
        "verifier": {"comment"},
        "supervisor": {"comment"},
        "chief": {"comment"},
        "township": {"comment"},
        "other_chief": set(),
    },
}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_available_actions_per_state_and_viewer(state, people, segment):
    ticket = drive(state, office=people["office"], chief=people["chief"], segment=segment,
                   reporter=people["supervisor"])
    for who, expected in EXPECTED[state].items():
        got = {action.name for action in available_actions(ticket, people[who])}
        assert got == expected, f"{state} / {who}"


def test_status_tells_forbidden_from_wrong_state(people, segment):
    ticket = drive(TicketState.RECTIFYING, office=people["office"], chief=people["chief"], segment=segment,
                   reporter=people["supervisor"])
    assert action_status(ticket, people["chief"], "submit") == ALLOWED
    assert action_status(ticket, people["chief"], "start") == WRONG_STATE
    assert action_status(ticket, people["township"], "submit") == FORBIDDEN
    assert action_status(ticket, people["office"], "submit") == FORBIDDEN
    assert action_status(ticket, people["office"], "close") == WRONG_STATE
    assert action_status(ticket, people["other_chief"], "comment") == FORBIDDEN


def test_the_chief_who_rectified_is_not_offered_verification(people, segment):
    # A chief who is also a verifier must not verify their own work (rules.may_verify).
    people["chief"].groups.add(*UserFactory(roles=["verifier"]).groups.all())
    ticket = drive(TicketState.SUBMITTED, office=people["office"], chief=people["chief"], segment=segment,
                   reporter=people["supervisor"])
    chief = type(people["chief"]).objects.get(pk=people["chief"].pk)
    assert {a.name for a in available_actions(ticket, chief)} == {"attach", "comment"}


def test_no_flow_step_is_offered_when_the_flow_has_no_open_task(people, segment):
    # A ticket opened outside the flow (no process): the flow would refuse, so no button.
    ticket = ticket_services.ticket_open(
        reporter=people["office"], segment=segment, source="supervisor_feedback", category="garbage",
        description="无流程的工单",
    )
    names = {a.name for a in available_actions(ticket, people["office"])}
    assert "assign" not in names
    assert {"cancel", "comment"} <= names
    assert action_status(ticket, people["office"], "assign") == WRONG_STATE
