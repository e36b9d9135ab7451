"""The ticket's life through the workflow services: the ticket, its open task and the inboxes move together."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS

from tests.factories import AppointmentFactory, UserFactory, flow_ticket_in_state, png_upload
from tickets.errors import TicketPermissionDenied, TicketValidationError
from tickets.models import AreaLevel, AttachmentKind, EventKind, TicketState
from tickets.selectors import ticket_history
from workflows import services
from workflows.flows import RectificationFlow
from workflows.selectors import inbox_tickets, open_task, process_of

pytestmark = pytest.mark.django_db



def task_at(ticket):
    """(node, owner) of the ticket's open task, or None."""
    task = open_task(ticket)
    return (task.flow_task.name, task.owner) if task else None


def kinds(ticket):
    return [event.kind for event in ticket_history(ticket=ticket)]


def inbox(user):
    return list(inbox_tickets(user))


def tasks_of(ticket):
    """Every human task of every run of the ticket's flow, oldest first, as (node, status, owner)."""
    return [
        (task.flow_task.name, task.status, task.owner)
        for task in RectificationFlow.task_class.objects.filter(
            process__artifact_object_id=ticket.pk
        ).filter(flow_task_type="HUMAN").order_by("pk")
    ]


def due_in(days):
    return timezone.localdate() + dt.timedelta(days=days)


def test_happy_path_moves_ticket_task_and_inboxes_together(office, verifier, supervisor, chief, segment):
    # Opened by a supervisor: the office must assign it; nobody owns the task yet.
    ticket = services.open_ticket(
        reporter=supervisor, segment=segment, source="supervisor_feedback", category="garbage",
        description="岸边有漂浮垃圾",
    )
    assert ticket.state == TicketState.REPORTED
    assert task_at(ticket) == ("assign", None)
    assert open_task(ticket).owner_permission == "workflows.office_task"
    assert kinds(ticket) == [EventKind.CREATED]
    assert inbox(office) == [ticket]
    assert inbox(chief) == inbox(verifier) == inbox(supervisor) == []
    assert services.flow_agrees_with_ticket(ticket)

    ticket = services.assign_ticket(
        ticket=ticket, actor=office, chief=chief, due_at=due_in(10), instructions="一周内清理完毕"
    )
    assert ticket.state == TicketState.ASSIGNED
    assert ticket.responsible_chief == chief
    assert ticket.instructions == "一周内清理完毕"
    # The rectify task is the chief's at once: assigned, no claim step.
    assert task_at(ticket) == ("rectify", chief)
    assert open_task(ticket).status == STATUS.ASSIGNED
    assert inbox(chief) == [ticket]
    assert inbox(office) == inbox(verifier) == []
    assert kinds(ticket)[-1] == EventKind.ASSIGNED
    assert services.flow_agrees_with_ticket(ticket)

    ticket = services.start_rectification(ticket=ticket, actor=chief)
    assert ticket.state == TicketState.RECTIFYING
    assert task_at(ticket) == ("rectify", chief)
    assert open_task(ticket).status == STATUS.STARTED
    assert inbox(chief) == [ticket]
    assert kinds(ticket)[-1] == EventKind.STARTED
    assert services.flow_agrees_with_ticket(ticket)

    ticket = services.submit_rectification(
        ticket=ticket, actor=chief, measures="清理垃圾 2 吨", after_photos=[png_upload("after.png")]
    )
    assert ticket.state == TicketState.SUBMITTED
    assert ticket.rectified_by == chief
    assert ticket.attachments.filter(kind=AttachmentKind.AFTER).count() == 1
    assert task_at(ticket) == ("verify", None)
    assert open_task(ticket).owner_permission == "workflows.verify_task"
    assert inbox(chief) == []
    assert inbox(verifier) == [ticket]
    assert inbox(office) == [ticket]
    assert kinds(ticket)[-2:] == [EventKind.ATTACHMENT_ADDED, EventKind.SUBMITTED]
    assert services.flow_agrees_with_ticket(ticket)

    ticket = services.verify_ticket(
        ticket=ticket, actor=verifier, comment="现场已清理", photos=[png_upload("onsite.png")]
    )
    assert ticket.state == TicketState.VERIFIED
    assert ticket.verified_by == verifier
    assert ticket.attachments.filter(kind=AttachmentKind.VERIFICATION).count() == 1
    assert task_at(ticket) == ("close", None)
    assert inbox(office) == [ticket]
    assert inbox(verifier) == inbox(chief) == []
    assert kinds(ticket)[-2:] == [EventKind.ATTACHMENT_ADDED, EventKind.VERIFIED]
    assert services.flow_agrees_with_ticket(ticket)

    ticket = services.close_ticket(ticket=ticket, actor=office, comment="销号")
    assert ticket.state == TicketState.CLOSED
    assert task_at(ticket) is None
    assert process_of(ticket).status == PROCESS.DONE
    assert inbox(office) == inbox(verifier) == inbox(chief) == []
    assert kinds(ticket) == [
        EventKind.CREATED, EventKind.ASSIGNED, EventKind.STARTED, EventKind.ATTACHMENT_ADDED,
        EventKind.SUBMITTED, EventKind.ATTACHMENT_ADDED, EventKind.VERIFIED, EventKind.CLOSED,
    ]
    # Each task was done by the person who acted.
    assert tasks_of(ticket) == [
        ("assign", STATUS.DONE, office),
        ("rectify", STATUS.DONE, chief),
        ("verify", STATUS.DONE, verifier),
        ("close", STATUS.DONE, office),
    ]
    assert services.flow_agrees_with_ticket(ticket)


def test_reject_and_resubmit_twice_gives_the_chief_a_new_rectify_task_each_time(office, verifier, chief, segment):
    ticket = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=chief, segment=segment)
    rectify_tasks = {open_task(ticket).previous.get().pk}  # the first rectify task

    for round_number in (1, 2):
        ticket = services.reject_ticket(ticket=ticket, actor=verifier, reason=f"第{round_number}次:仍有垃圾")
        assert ticket.state == TicketState.RECTIFYING
        assert ticket.rejection_count == round_number
        assert ticket.submitted_at is None
        task = open_task(ticket)
        assert (task.flow_task.name, task.owner, task.status) == ("rectify", chief, STATUS.ASSIGNED)
        assert task.pk not in rectify_tasks
        rectify_tasks.add(task.pk)
        assert inbox(chief) == [ticket]
        assert inbox(verifier) == []
        rejected = ticket_history(ticket=ticket)[-1]
        assert (rejected.kind, rejected.actor, rejected.payload["reason"]) == (
            EventKind.REJECTED, verifier, f"第{round_number}次:仍有垃圾"
        )
        assert (rejected.from_state, rejected.to_state) == (TicketState.SUBMITTED, TicketState.RECTIFYING)
        assert services.flow_agrees_with_ticket(ticket)

        # No start step after a rejection: the chief is already rectifying and submits again.
        ticket = services.submit_rectification(
            ticket=ticket, actor=chief, measures=f"第{round_number + 1}次整改",
            after_photos=[png_upload(f"after{round_number}.png")],
        )
        assert ticket.state == TicketState.SUBMITTED
        assert task_at(ticket) == ("verify", None)
        assert services.flow_agrees_with_ticket(ticket)

    ticket = services.verify_ticket(ticket=ticket, actor=verifier)
    ticket = services.close_ticket(ticket=ticket, actor=office)
    assert ticket.rejection_count == 2
    assert len(rectify_tasks) == 3
    assert [k for k in kinds(ticket) if k in (EventKind.SUBMITTED, EventKind.REJECTED)] == [
        EventKind.SUBMITTED, EventKind.REJECTED, EventKind.SUBMITTED, EventKind.REJECTED, EventKind.SUBMITTED,
    ]
    assert [node for node, _status, _owner in tasks_of(ticket)] == [
        "assign", "rectify", "verify", "rectify", "verify", "rectify", "verify", "close",
    ]
    assert process_of(ticket).status == PROCESS.DONE
    assert services.flow_agrees_with_ticket(ticket)


def test_reject_needs_a_reason_and_changes_nothing_without_one(office, verifier, chief, segment):
    ticket = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=chief, segment=segment)
    before = kinds(ticket)
    with pytest.raises(TicketValidationError) as exc:
        services.reject_ticket(ticket=ticket, actor=verifier, reason="  ")
    assert "reason" in exc.value.errors
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SUBMITTED
    assert task_at(ticket) == ("verify", None)
    assert kinds(ticket) == before


@pytest.mark.parametrize("state", [TicketState.REPORTED, TicketState.ASSIGNED])
def test_cancel_ends_the_flow(state, office, chief, segment):
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment)
    ticket = services.cancel_ticket(ticket=ticket, actor=office, reason="重复上报")
    assert ticket.state == TicketState.CANCELLED
    assert ticket.cancelled_at is not None
    assert task_at(ticket) is None
    process = process_of(ticket)
    assert process.status == PROCESS.CANCELED
    assert process.finished is not None
    assert inbox(office) == inbox(chief) == []
    cancelled = ticket_history(ticket=ticket)[-1]
    assert (cancelled.kind, cancelled.from_state, cancelled.payload["reason"]) == (
        EventKind.CANCELLED, state, "重复上报"
    )
    assert services.flow_agrees_with_ticket(ticket)


@pytest.mark.parametrize("state", [TicketState.REPORTED, TicketState.ASSIGNED])
def test_cancel_needs_a_reason(state, office, chief, segment):
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment)
    expected_task = task_at(ticket)
    with pytest.raises(TicketValidationError) as exc:
        services.cancel_ticket(ticket=ticket, actor=office, reason="")
    assert "reason" in exc.value.errors
    ticket.refresh_from_db()
    assert ticket.state == state
    assert task_at(ticket) == expected_task
    assert process_of(ticket).status == PROCESS.NEW
    assert EventKind.CANCELLED not in kinds(ticket)


def test_reopen_after_close_starts_a_new_run_at_rectify(office, verifier, chief, segment):
    ticket = flow_ticket_in_state(TicketState.CLOSED, office=office, chief=chief, segment=segment, verifier=verifier)
    first_run = process_of(ticket)

    ticket = services.reopen_ticket(ticket=ticket, actor=office, reason="群众再次反映")
    assert ticket.state == TicketState.RECTIFYING
    assert ticket.closed_at is None and ticket.verified_by is None
    second_run = process_of(ticket)
    assert second_run.pk != first_run.pk
    assert second_run.status == PROCESS.NEW
    first_run.refresh_from_db()
    assert first_run.status == PROCESS.DONE
    # The new run starts at rectify, in the chief's inbox.
    assert task_at(ticket) == ("rectify", chief)
    assert open_task(ticket).process_id == second_run.pk
    assert inbox(chief) == [ticket]
    reopened = ticket_history(ticket=ticket)[-1]
    assert (reopened.kind, reopened.actor, reopened.payload["reason"]) == (EventKind.REOPENED, office, "群众再次反映")
    assert services.flow_agrees_with_ticket(ticket)

    # And the second run goes round to closing like the first.
    ticket = services.submit_rectification(
        ticket=ticket, actor=chief, measures="再次清理", after_photos=[png_upload("again.png")]
    )
    ticket = services.verify_ticket(ticket=ticket, actor=verifier)
    ticket = services.close_ticket(ticket=ticket, actor=office)
    second_run.refresh_from_db()
    assert second_run.status == PROCESS.DONE
    assert task_at(ticket) is None
    assert services.flow_agrees_with_ticket(ticket)


def test_reopen_is_for_the_office_only_and_needs_a_reason(office, verifier, chief, supervisor, segment):
    ticket = flow_ticket_in_state(TicketState.CLOSED, office=office, chief=chief, segment=segment, verifier=verifier)
    runs = RectificationFlow.process_class.objects.filter(artifact_object_id=ticket.pk).count()
    for actor in (chief, verifier, supervisor):
        with pytest.raises(TicketPermissionDenied):
            services.reopen_ticket(ticket=ticket, actor=actor, reason="再查")
    with pytest.raises(TicketValidationError):
        services.reopen_ticket(ticket=ticket, actor=office, reason=" ")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
    assert task_at(ticket) is None
    assert RectificationFlow.process_class.objects.filter(artifact_object_id=ticket.pk).count() == runs
    assert kinds(ticket)[-1] == EventKind.CLOSED
    assert services.flow_agrees_with_ticket(ticket)


@pytest.mark.parametrize("state", [TicketState.ASSIGNED, TicketState.RECTIFYING])
def test_reassign_moves_the_rectify_task_to_the_new_chief(state, office, chief, segment):
    new_chief = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="new_chief").chief
    ticket = flow_ticket_in_state(state, office=office, chief=chief, segment=segment)
    task_before = open_task(ticket)

    ticket = services.reassign_ticket(ticket=ticket, actor=office, chief=new_chief, reason="河长调整")
    assert ticket.state == state
    assert ticket.responsible_chief == new_chief
    # The same task moves; nobody has to claim it.
    task = open_task(ticket)
    assert task.pk == task_before.pk
    assert (task.flow_task.name, task.owner, task.status) == ("rectify", new_chief, task_before.status)
    assert inbox(new_chief) == [ticket]
    assert inbox(chief) == []
    event = ticket_history(ticket=ticket)[-1]
    assert (event.kind, event.actor) == (EventKind.REASSIGNED, office)
    assert (event.payload["from_chief"], event.payload["to_chief"]) == (chief.pk, new_chief.pk)
    assert event.payload["reason"] == "河长调整"
    assert services.flow_agrees_with_ticket(ticket)

    # The new chief carries on; the old one no longer may.
    with pytest.raises(TicketPermissionDenied):
        services.submit_rectification(ticket=ticket, actor=chief, measures="x", after_photos=[png_upload()])
    if state == TicketState.ASSIGNED:
        ticket = services.start_rectification(ticket=ticket, actor=new_chief)
    ticket = services.submit_rectification(
        ticket=ticket, actor=new_chief, measures="新河长完成整改", after_photos=[png_upload()]
    )
    assert ticket.rectified_by == new_chief
    assert task_at(ticket) == ("verify", None)
    assert [owner for node, _s, owner in tasks_of(ticket) if node == "rectify"] == [new_chief]


def test_reassign_with_a_new_due_date(office, chief, segment):
    new_chief = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="new_chief").chief
    ticket = flow_ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    old_due = ticket.due_at

    ticket = services.reassign_ticket(
        ticket=ticket, actor=office, chief=new_chief, reason="河长调整", due_at=due_in(30)
    )
    assert ticket.due_at.date() == due_in(30)
    event = ticket_history(ticket=ticket)[-1]
    assert event.kind == EventKind.REASSIGNED
    assert event.payload["due_at"] and event.payload["old_due_at"]
    assert dt.datetime.fromisoformat(event.payload["old_due_at"]) == old_due
    assert task_at(ticket) == ("rectify", new_chief)


def test_reassign_is_refused_to_non_office_and_to_a_chief_not_appointed(office, verifier, chief, other_chief, segment):
    new_chief = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="new_chief").chief
    ticket = flow_ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    for actor in (chief, verifier):
        with pytest.raises(TicketPermissionDenied):
            services.reassign_ticket(ticket=ticket, actor=actor, chief=new_chief, reason="调整")
    # other_chief holds a different segment.
    with pytest.raises(TicketValidationError):
        services.reassign_ticket(ticket=ticket, actor=office, chief=other_chief, reason="调整")
    ticket.refresh_from_db()
    assert ticket.responsible_chief == chief
    assert task_at(ticket) == ("rectify", chief)
    assert EventKind.REASSIGNED not in kinds(ticket)


def test_change_deadline_and_comment_leave_the_task_alone(office, chief, segment):
    ticket = flow_ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    ticket = services.change_deadline(ticket=ticket, actor=office, due_at=due_in(20), reason="汛期顺延")
    ticket = services.comment_on_ticket(ticket=ticket, actor=chief, text="已联系施工队")
    assert kinds(ticket)[-2:] == [EventKind.DEADLINE_CHANGED, EventKind.COMMENTED]
    assert ticket.due_at.date() == due_in(20)
    assert task_at(ticket) == ("rectify", chief)
    assert services.flow_agrees_with_ticket(ticket)


def test_demo_loader_leaves_every_flow_in_agreement():
    from django.core.management import call_command

    from tickets.models import Ticket

    call_command("load_demo", stdout=io.StringIO())
    tickets = list(Ticket.objects.all())
    assert {t.state for t in tickets} >= {
        TicketState.CLOSED, TicketState.SUBMITTED, TicketState.RECTIFYING, TicketState.REPORTED,
    }
    for ticket in tickets:
        assert services.flow_agrees_with_ticket(ticket), ticket
    # Running it again creates nothing and breaks nothing.
    call_command("load_demo", stdout=io.StringIO())
    assert Ticket.objects.count() == len(tickets)
    assert all(services.flow_agrees_with_ticket(t) for t in Ticket.objects.all())


def test_an_office_user_created_later_sees_the_office_queue(office, supervisor, segment):
    ticket = flow_ticket_in_state(TicketState.REPORTED, office=office, chief=None, segment=segment,
                                  reporter=supervisor)
    office2 = UserFactory(username="office2", roles=["office"])
    assert inbox(office2) == [ticket]
