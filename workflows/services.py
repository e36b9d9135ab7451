"""The actions users take, one function each; the web UI and the API call these and nothing else.

Each action runs under the flow's lock on the ticket's process, in one
transaction: the ticket service moves the ticket (and writes its audit event),
and the flow's open task is completed, so the ticket's state and the task that
waits on it never disagree. Each returns the updated ticket or raises a
tickets.errors.TicketError.
"""

from contextlib import ExitStack

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS, STATUS

from deadlines.policies import resolve_deadline
from tickets import rules
from tickets import services as ticket_services
from tickets.errors import TicketPermissionDenied, TicketStateConflict
from tickets.models import AttachmentKind, Ticket, TicketState
from tickets.services.attachments import store_attachment
from tickets.services.scope import as_part_of_callers_transaction, remember_chain_head
from tickets.services.transitions import locked_ticket

from .flows import TASK_FOR_STATE, RectificationFlow, starting_in_callers_transaction
from .selectors import open_task_and_chain_head, open_tasks_of, process_of


class _FlowStep:
    """Lock the ticket, check its open task is the expected one, then run the action.

    The ticket's row lock is what serialises the steps: every change to this flow's tasks goes through
    these services (viewflow's own task views are not mounted), each under that lock, so viewflow's
    process lock would only be a second round trip guarding the same thing. The task is read after
    the lock is held, so a step that waited sees what the step before it committed.

    ``allowed`` is the action's rule from tickets.rules: someone who may never take the action is
    told so before being told the task is elsewhere, as the ticket services do (permission first),
    so a refused user learns nothing of the state of a ticket that is not theirs.
    """

    def __init__(self, ticket, node, *, actor, allowed):
        self.ticket, self.node, self.actor, self.allowed = ticket, node, actor, allowed

    def _refuse(self, locked):
        if not self.allowed(locked, self.actor):
            raise TicketPermissionDenied()
        raise TicketStateConflict(current_state=locked.state)

    def __enter__(self):
        with ExitStack() as stack:
            stack.enter_context(transaction.atomic())
            # Any error inside the step ends its transaction: the ticket services need no savepoints,
            # and they all get the row locked here instead of reading it again.
            stack.enter_context(as_part_of_callers_transaction())
            locked = stack.enter_context(locked_ticket(self.ticket))
            # Read after the lock is held: the task and the audit chain as the last step left them.
            self.task, chain_head = open_task_and_chain_head(locked)
            if chain_head is not None:
                remember_chain_head(locked.pk, *chain_head)
            if self.node and (self.task is None or self.task.flow_task.name != self.node):
                self._refuse(locked)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info):
        return self._stack.__exit__(*exc_info)

    def complete(self, user, ticket):
        """Finish the open task as ``user`` and let the flow create the next one.

        The task was read under the ticket's lock and the ticket service has just saved ``ticket``:
        handing both to viewflow saves it reloading them (the next node's owner and the gate read the
        ticket). A task waiting for a role is taken by ``user`` and finished in one UPDATE, not one for
        the taking (viewflow's assign) and one for the finishing.
        """
        task = self.task
        task.process.artifact = ticket
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            task.owner, task.status = user, STATUS.ASSIGNED
        if task.status == STATUS.ASSIGNED:
            activation.start(None)
        activation.execute()

    def start(self):
        task = self.task
        if task.status == STATUS.ASSIGNED:
            task.flow_task.activation_class(task).start(None)
            task.save()


def open_ticket(*, reporter, **fields):
    with transaction.atomic(), as_part_of_callers_transaction():
        ticket = ticket_services.ticket_open(reporter=reporter, **fields)
        with starting_in_callers_transaction():
            RectificationFlow.start.run(ticket=ticket)
    return ticket


def assign_ticket(*, ticket, actor, chief, due_at=None, instructions=""):
    """Assign to a chief. Without a due date the deadline policy for the ticket's source and severity
    sets it; the ticket records which rule did (or "manual")."""
    with _FlowStep(ticket, "assign", actor=actor, allowed=rules.may_assign) as step:
        # Source, severity and received date never change after opening: the caller's copy will do.
        deadline = resolve_deadline(ticket=ticket, due_at=due_at)
        ticket = ticket_services.ticket_assign(
            ticket=ticket, actor=actor, chief=chief, due_at=deadline.due_at, instructions=instructions,
            deadline_rule=deadline.rule, deadline_provisional=deadline.provisional,
        )
        step.complete(actor, ticket)
    return ticket


def start_rectification(*, ticket, actor):
    with _FlowStep(ticket, "rectify", actor=actor, allowed=rules.may_rectify) as step:
        ticket = ticket_services.ticket_start(ticket=ticket, actor=actor)
        step.start()
    return ticket


def submit_rectification(*, ticket, actor, measures, after_photos=()):
    """Submit, storing any "after" photos given with the form in the same transaction."""
    with _FlowStep(ticket, "rectify", actor=actor, allowed=rules.may_rectify) as step:
        for upload in after_photos:
            ticket_services.attachment_add(ticket=ticket, actor=actor, upload=upload, kind="after")
        ticket = ticket_services.ticket_submit(ticket=ticket, actor=actor, measures=measures)
        step.complete(actor, ticket)
    return ticket


def _add_verification_photos(ticket, actor, photos):
    """On-site photos belong to whoever verifies: rules.may_attach knows only office, chief and reporter,
    so an appointed verifier is let in by may_verify, checked here before anything is stored."""
    if not photos:
        return
    with locked_ticket(ticket) as locked:
        if not rules.may_verify(locked, actor):
            raise TicketPermissionDenied(_("核查须由河长办或核查员进行,且不能是整改人本人。"))
        for upload in photos:
            store_attachment(ticket=locked, actor=actor, upload=upload, kind=AttachmentKind.VERIFICATION)


def verify_ticket(*, ticket, actor, comment="", photos=()):
    with _FlowStep(ticket, "verify", actor=actor, allowed=rules.may_verify) as step:
        _add_verification_photos(ticket, actor, photos)
        ticket = ticket_services.ticket_verify(ticket=ticket, actor=actor, comment=comment)
        step.complete(actor, ticket)
    return ticket


def reject_ticket(*, ticket, actor, reason, photos=()):
    with _FlowStep(ticket, "verify", actor=actor, allowed=rules.may_verify) as step:
        _add_verification_photos(ticket, actor, photos)
        ticket = ticket_services.ticket_reject(ticket=ticket, actor=actor, reason=reason)
        step.complete(actor, ticket)
    return ticket


def close_ticket(*, ticket, actor, comment=""):
    with _FlowStep(ticket, "close", actor=actor, allowed=rules.may_close) as step:
        ticket = ticket_services.ticket_close(ticket=ticket, actor=actor, comment=comment)
        step.complete(actor, ticket)
    return ticket


def cancel_ticket(*, ticket, actor, reason):
    with _FlowStep(ticket, None, actor=actor, allowed=rules.may_cancel) as step:
        ticket = ticket_services.ticket_cancel(ticket=ticket, actor=actor, reason=reason)
        process = step.task.process if step.task else process_of(ticket)
        # Already inside the flow's lock and transaction; Flow.cancel re-enters the same row lock.
        RectificationFlow.instance.cancel(process)
    return ticket


def reopen_ticket(*, ticket, actor, reason):
    with transaction.atomic(), as_part_of_callers_transaction():
        ticket = ticket_services.ticket_reopen(ticket=ticket, actor=actor, reason=reason)
        with starting_in_callers_transaction():
            RectificationFlow.reopen.run(ticket=ticket)
    return ticket


def reassign_ticket(*, ticket, actor, chief, reason, due_at=None):
    """Hand the rectification to another chief; the open task moves to the new chief's inbox."""
    with _FlowStep(ticket, "rectify", actor=actor, allowed=rules.may_reassign) as step:
        ticket = ticket_services.ticket_reassign(
            ticket=ticket, actor=actor, chief=chief, reason=reason, due_at=due_at
        )
        step.task.owner = chief
        step.task.save(update_fields=["owner"])
    return ticket


def change_deadline(*, ticket, actor, due_at, reason):
    return ticket_services.ticket_change_deadline(ticket=ticket, actor=actor, due_at=due_at, reason=reason)


def comment_on_ticket(*, ticket, actor, text):
    ticket_services.ticket_comment(ticket=ticket, actor=actor, text=text)
    return Ticket.objects.get(pk=ticket.pk)


def add_attachment(*, ticket, actor, upload, kind):
    return ticket_services.attachment_add(ticket=ticket, actor=actor, upload=upload, kind=kind)


# Who an open task waits for: the responsible chief by name, the others by the role's permission.
_TASK_PERMISSION = {"assign": "workflows.office_task", "verify": "workflows.verify_task",
                    "close": "workflows.office_task"}
_PROCESS_STATUS_FOR_STATE = {TicketState.CLOSED: PROCESS.DONE, TicketState.CANCELLED: PROCESS.CANCELED}


def flow_disagreements(ticket):
    """What is wrong between the ticket and its flow, in words; empty when they agree.

    An open ticket has exactly one open task, in its latest run, of the node its state calls for, waiting
    for the right person; a closed or cancelled one has none, and its latest run is done or cancelled.
    """
    problems = []
    expected = TASK_FOR_STATE.get(ticket.state)
    process = process_of(ticket)
    if process is None:
        return [f"no flow run for a ticket in state {ticket.state}"] if expected else []
    tasks = list(open_tasks_of(ticket))
    if process.status != _PROCESS_STATUS_FOR_STATE.get(ticket.state, PROCESS.NEW):
        problems.append(f"latest run is {process.status} for a ticket in state {ticket.state}")
    if expected is None:
        problems += [f"open task {task.flow_task.name} on a {ticket.state} ticket" for task in tasks]
        return problems
    if len(tasks) != 1:
        return [*problems, f"{len(tasks)} open tasks where one {expected} is due"]
    task = tasks[0]
    if task.process_id != process.pk:
        problems.append("the open task is not in the latest run")
    if task.flow_task.name != expected:
        problems.append(f"open task is {task.flow_task.name}, state {ticket.state} calls for {expected}")
    elif expected == "rectify":
        if task.owner_id != ticket.responsible_chief_id:
            problems.append(f"rectify task owned by {task.owner_id}, chief is {ticket.responsible_chief_id}")
    elif task.owner_permission != _TASK_PERMISSION[expected]:
        problems.append(f"{expected} task is for {task.owner_permission}, not {_TASK_PERMISSION[expected]}")
    return problems


def flow_agrees_with_ticket(ticket):
    """True when the ticket's open task is the one its state calls for (used by checks and tests)."""
    return not flow_disagreements(ticket)
