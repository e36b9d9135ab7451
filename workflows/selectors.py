"""Reads about the flow: a ticket's process and open task, and what waits for a user."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from viewflow.workflow.status import STATUS

from tickets import rules
from tickets.models import Ticket
from tickets.services.audit import chain_head_annotations

from .models import RectificationProcess

OPEN_TASK_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


def _ticket_ct():
    return ContentType.objects.get_for_model(Ticket)


def process_of(ticket):
    """The ticket's latest flow run (None for a ticket opened before the flow existed)."""
    return (
        RectificationProcess.objects.filter(artifact_content_type=_ticket_ct(), artifact_object_id=ticket.pk)
        .order_by("-pk")
        .first()
    )


def open_tasks_of(ticket):
    """Every unfinished task on this ticket, across its runs, newest first (one at most when all is well)."""
    from .flows import RectificationFlow

    return (
        RectificationFlow.task_class.objects.filter(
            process__artifact_content_type=_ticket_ct(),
            process__artifact_object_id=ticket.pk,
            status__in=OPEN_TASK_STATUSES,
        )
        .exclude(flow_task_type__in=["START", "END"])
        .order_by("-pk")
    )


def open_task(ticket):
    """The one task that waits on this ticket, or None when the ticket is closed or cancelled."""
    return open_tasks_of(ticket).select_related("process").first()


def open_task_and_chain_head(ticket):
    """open_task, with the (seq, hash) of the ticket's last event read in the same round trip."""
    task = open_tasks_of(ticket).select_related("process").annotate(**chain_head_annotations(ticket.pk)).first()
    return task, ((task.chain_head_seq or 0, task.chain_head_hash or "") if task else None)


def ticket_of_task(task_pk):
    from .flows import RectificationFlow

    task = RectificationFlow.task_class.objects.filter(pk=task_pk).select_related("process").first()
    if task is None or task.process.artifact_object_id is None:
        return None
    return Ticket.objects.filter(pk=task.process.artifact_object_id).first()


def open_tasks_for(user):
    """Tasks waiting for this user: their own (a chief's rectifications), and for office/verifiers the
    unowned ones their role takes. Ordered by the ticket's deadline, most urgent first."""
    from .flows import RectificationFlow

    scope = Q(owner=user)
    if rules.is_office(user):
        scope |= Q(owner__isnull=True, owner_permission="workflows.office_task")
    if rules.is_verifier(user):
        # Nobody verifies their own rectification (rules.may_verify): such a task is not theirs to take.
        own_work = Ticket.objects.filter(rectified_by=user).values("pk")
        scope |= Q(owner__isnull=True, owner_permission="workflows.verify_task") & ~Q(
            process__artifact_object_id__in=own_work
        )
    return (
        RectificationFlow.task_class.objects.filter(scope, status__in=OPEN_TASK_STATUSES)
        .filter(process__artifact_content_type=_ticket_ct())
        .select_related("process", "owner")
        .order_by("created")
    )


def inbox_tickets(user):
    """The tickets whose open task waits for this user, the most urgent deadline first."""
    from django.db.models import F

    ticket_ids = open_tasks_for(user).values("process__artifact_object_id")
    return (
        Ticket.objects.filter(pk__in=ticket_ids)
        .select_related("segment__river", "segment__area", "responsible_chief")
        .order_by(F("due_at").asc(nulls_last=True), "reported_at")
    )
