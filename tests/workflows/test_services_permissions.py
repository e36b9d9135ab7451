"""Refused actions through the workflow services: the right error, and nothing moved (ticket, task, trail)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import AppointmentFactory, UserFactory, flow_ticket_in_state, png_upload
from tickets.errors import TicketPermissionDenied, TicketStateConflict
from tickets.models import AreaLevel, Ticket, TicketState
from workflows import services
from workflows.selectors import inbox_tickets, open_task, process_of

pytestmark = pytest.mark.django_db

ALL_STATES = [
    TicketState.REPORTED, TicketState.ASSIGNED, TicketState.RECTIFYING, TicketState.SUBMITTED,
    TicketState.VERIFIED, TicketState.CLOSED, TicketState.CANCELLED,
]



def due():
    return timezone.localdate() + dt.timedelta(days=10)


def snapshot(ticket):
    """Everything a refused action must leave as it was."""
    fresh = Ticket.objects.get(pk=ticket.pk)
    task = open_task(fresh)
    process = process_of(fresh)
    return {
        "state": fresh.state,
        "chief": fresh.responsible_chief_id,
        "due_at": fresh.due_at,
        "rejections": fresh.rejection_count,
        "task": task and (task.pk, task.flow_task.name, task.owner_id, task.status),
        "process": process and (process.pk, process.status),
        "events": fresh.events.count(),
        "attachments": fresh.attachments.count(),
    }


def refused(error, ticket, action, **kwargs):
    """Run the action, expect ``error``, check that nothing changed and the flow still agrees."""
    before = snapshot(ticket)
    with pytest.raises(error) as exc:
        action(ticket=ticket, **kwargs)
    assert snapshot(ticket) == before
    assert services.flow_agrees_with_ticket(Ticket.objects.get(pk=ticket.pk))
    return exc.value


def every_action(*, actor, chief):
    """Each user action with arguments that would be valid for the right user in the right state."""
    return {
        "assign": (services.assign_ticket, {"actor": actor, "chief": chief, "due_at": due()}),
        "start": (services.start_rectification, {"actor": actor}),
        "submit": (services.submit_rectification,
                   {"actor": actor, "measures": "已清理", "after_photos": [png_upload("after.png")]}),
        "verify": (services.verify_ticket, {"actor": actor, "photos": [png_upload("onsite.png")]}),
        "reject": (services.reject_ticket, {"actor": actor, "reason": "未整改到位"}),
        "close": (services.close_ticket, {"actor": actor}),
        "cancel": (services.cancel_ticket, {"actor": actor, "reason": "重复上报"}),
        "reopen": (services.reopen_ticket, {"actor": actor, "reason": "再次反映"}),
    }


# --- a chief acting on another chief's ticket -----------------------------------------------------------


@pytest.mark.parametrize("state", [TicketState.ASSIGNED, TicketState.RECTIFYING])
def test_another_chief_cannot_start_or_submit(state, office, chief, other_chief, segment):
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment)
    if state == TicketState.ASSIGNED:
        refused(TicketPermissionDenied, ticket, services.start_rectification, actor=other_chief)
    refused(TicketPermissionDenied, ticket, services.submit_rectification,
            actor=other_chief, measures="我来整改", after_photos=[png_upload()])
    assert list(inbox_tickets(other_chief)) == []
    assert list(inbox_tickets(chief)) == [ticket]


def test_a_superior_chief_sees_the_ticket_but_does_not_act_on_it(office, chief, segment):
    township_chief = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP).chief
    ticket = flow_ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    refused(TicketPermissionDenied, ticket, services.start_rectification, actor=township_chief)
    ticket = services.start_rectification(ticket=ticket, actor=chief)
    refused(TicketPermissionDenied, ticket, services.submit_rectification,
            actor=township_chief, measures="x", after_photos=[png_upload()])
    assert list(inbox_tickets(township_chief)) == []
    # Read-only: a comment is all the superior may add.
    services.comment_on_ticket(ticket=ticket, actor=township_chief, text="请抓紧整改")
    assert ticket.events.last().kind == "commented"


def test_a_chief_of_another_segment_may_not_even_comment(office, chief, other_chief, segment):
    ticket = flow_ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    refused(TicketPermissionDenied, ticket, services.comment_on_ticket, actor=other_chief, text="?")
    refused(TicketPermissionDenied, ticket, services.add_attachment,
            actor=other_chief, upload=png_upload(), kind="after")


@pytest.mark.parametrize("state", ALL_STATES)
def test_another_chief_is_refused_every_action_in_every_state(state, office, chief, other_chief, segment):
    """Another chief is told "forbidden", never the state of a ticket they may not see."""
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment)
    for name, (action, kwargs) in every_action(actor=other_chief, chief=chief).items():
        error = refused((TicketPermissionDenied, TicketStateConflict), ticket, action, **kwargs)
        assert isinstance(error, TicketPermissionDenied), (name, state, error)


# --- a supervisor ---------------------------------------------------------------------------------------


def test_a_supervisor_opens_and_follows_but_cannot_assign_verify_or_close(office, supervisor, chief, segment):
    ticket = flow_ticket_in_state(TicketState.REPORTED, office=office, chief=chief, segment=segment,
                                  reporter=supervisor)
    refused(TicketPermissionDenied, ticket, services.assign_ticket, actor=supervisor, chief=chief, due_at=due())
    refused(TicketPermissionDenied, ticket, services.cancel_ticket, actor=supervisor, reason="不想要了")

    ticket = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=chief, segment=segment,
                                  reporter=supervisor)
    refused(TicketPermissionDenied, ticket, services.verify_ticket, actor=supervisor)
    refused(TicketPermissionDenied, ticket, services.verify_ticket, actor=supervisor, photos=[png_upload()])
    refused(TicketPermissionDenied, ticket, services.reject_ticket, actor=supervisor, reason="没整改")

    ticket = flow_ticket_in_state(TicketState.VERIFIED, office=office, chief=chief, segment=segment,
                                  reporter=supervisor)
    refused(TicketPermissionDenied, ticket, services.close_ticket, actor=supervisor)
    assert list(inbox_tickets(supervisor)) == []
    # Following their own ticket: they may comment on it.
    services.comment_on_ticket(ticket=ticket, actor=supervisor, text="请尽快销号")


@pytest.mark.parametrize("state", ALL_STATES)
def test_a_supervisor_trying_to_close_is_forbidden_whatever_the_state(state, office, supervisor, chief, segment):
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment, reporter=supervisor)
    refused(TicketPermissionDenied, ticket, services.close_ticket, actor=supervisor)


# --- verifying ------------------------------------------------------------------------------------------


def test_a_chief_cannot_verify_their_own_rectification(office, chief, segment):
    ticket = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=chief, segment=segment)
    refused(TicketPermissionDenied, ticket, services.verify_ticket, actor=chief)
    # Photos offered with the verification are not stored either.
    refused(TicketPermissionDenied, ticket, services.verify_ticket, actor=chief, photos=[png_upload()])
    refused(TicketPermissionDenied, ticket, services.reject_ticket, actor=chief, reason="自查不合格")


def test_a_chief_who_is_also_a_verifier_cannot_verify_their_own_rectification(office, segment):
    chief_verifier = AppointmentFactory(segment=segment, chief__roles=["chief", "verifier"]).chief
    ticket = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=chief_verifier, segment=segment)
    # The verifier role does not bring their own rectification into their inbox.
    elsewhere = AppointmentFactory()
    other = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=elsewhere.chief,
                                 segment=elsewhere.segment)
    assert list(inbox_tickets(chief_verifier)) == [other]
    refused(TicketPermissionDenied, ticket, services.verify_ticket, actor=chief_verifier,
            photos=[png_upload()])
    refused(TicketPermissionDenied, ticket, services.reject_ticket, actor=chief_verifier, reason="x")
    # Another verifier can.
    verifier2 = UserFactory(roles=["verifier"])
    ticket = services.verify_ticket(ticket=ticket, actor=verifier2, photos=[png_upload()])
    assert ticket.state == TicketState.VERIFIED
    assert services.flow_agrees_with_ticket(ticket)


def test_a_verifier_does_not_assign_or_close(office, verifier, chief, segment):
    ticket = flow_ticket_in_state(TicketState.REPORTED, office=office, chief=chief, segment=segment)
    refused(TicketPermissionDenied, ticket, services.assign_ticket, actor=verifier, chief=chief, due_at=due())
    ticket = flow_ticket_in_state(TicketState.VERIFIED, office=office, chief=chief, segment=segment)
    refused(TicketPermissionDenied, ticket, services.close_ticket, actor=verifier)


# --- wrong state ----------------------------------------------------------------------------------------

# For each action, the states in which it is allowed; any other state is a conflict for the right user.
ALLOWED_IN = {
    "assign": {TicketState.REPORTED},
    "start": {TicketState.ASSIGNED},
    "submit": {TicketState.RECTIFYING},
    "verify": {TicketState.SUBMITTED},
    "reject": {TicketState.SUBMITTED},
    "close": {TicketState.VERIFIED},
    "cancel": {TicketState.REPORTED, TicketState.ASSIGNED},
    "reopen": {TicketState.CLOSED},
}


@pytest.mark.parametrize("state", ALL_STATES)
def test_wrong_state_is_a_conflict_carrying_the_current_state(state, office, verifier, chief, segment):
    actors = {"start": chief, "submit": chief, "verify": verifier, "reject": verifier}
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment, verifier=verifier)
    for name, allowed in ALLOWED_IN.items():
        if state in allowed:
            continue
        actor = actors.get(name, office)
        if actor == chief and state in (TicketState.REPORTED, TicketState.CANCELLED):
            continue  # nobody has made them the responsible chief: that is "forbidden", tested above
        action, kwargs = every_action(actor=actor, chief=chief)[name]
        error = refused(TicketStateConflict, ticket, action, **kwargs)
        assert error.current_state == state, (name, state)


@pytest.mark.parametrize("state", [TicketState.REPORTED, TicketState.SUBMITTED, TicketState.VERIFIED,
                                   TicketState.CLOSED, TicketState.CANCELLED])
def test_reassign_in_the_wrong_state_is_a_conflict(state, office, chief, segment):
    new_chief = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP).chief
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment)
    error = refused(TicketStateConflict, ticket, services.reassign_ticket,
                    actor=office, chief=new_chief, reason="调整")
    assert error.current_state == state


def test_doing_a_step_twice_is_a_conflict_not_a_second_event(office, verifier, chief, segment):
    ticket = flow_ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    services.start_rectification(ticket=ticket, actor=chief)
    error = refused(TicketStateConflict, ticket, services.start_rectification, actor=chief)
    assert error.current_state == TicketState.RECTIFYING
    services.submit_rectification(ticket=ticket, actor=chief, measures="已清理", after_photos=[png_upload()])
    error = refused(TicketStateConflict, ticket, services.submit_rectification,
                    actor=chief, measures="已清理", after_photos=[png_upload()])
    assert error.current_state == TicketState.SUBMITTED
    services.verify_ticket(ticket=ticket, actor=verifier)
    refused(TicketStateConflict, ticket, services.verify_ticket, actor=verifier)
    refused(TicketStateConflict, ticket, services.reject_ticket, actor=verifier, reason="x")
    services.close_ticket(ticket=ticket, actor=office)
    error = refused(TicketStateConflict, ticket, services.close_ticket, actor=office)
    assert error.current_state == TicketState.CLOSED


def test_submit_without_an_after_photo_is_refused_and_keeps_the_task(office, chief, segment):
    from tickets.errors import TicketValidationError

    ticket = flow_ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    error = refused(TicketValidationError, ticket, services.submit_rectification, actor=chief, measures="已清理")
    assert "attachments" in error.errors
    # A bad photo rolls back the whole submission, measures included.
    error = refused(TicketValidationError, ticket, services.submit_rectification, actor=chief, measures="已清理",
                    after_photos=[png_upload("notes.txt")])
    assert Ticket.objects.get(pk=ticket.pk).measures == ""
