"""One service per user action on a ticket.

Each runs in one transaction: lock the ticket row, check who may act and what the
transition needs, transition, save the changed fields, append the audit event.
The loser of a race waits for the lock, then finds the state moved and gets a
TicketStateConflict; nothing is half-written.
"""

import datetime as dt
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from .. import rules
from ..errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError
from ..models import EventKind, Ticket, TicketState
from ..models.tickets import DEADLINE_RULE_MANUAL
from ..selectors import chief_appointment
from .audit import record_event
from .scope import already_locked, in_callers_transaction, remember_locked, savepoint_needed


def _locked_rows():
    # The people and the place come along (the actions and whoever hears of them read them); only
    # the ticket row is locked.
    return Ticket.objects.select_for_update(of=("self",)).select_related(
        "responsible_chief", "reporter", "segment__river", "segment__area"
    )


@contextmanager
def locked_ticket(ticket):
    """The ticket, re-read under a row lock, inside a transaction. Accepts a Ticket or its pk.

    Inside a flow step (scope.as_part_of_callers_transaction) the ticket is read and locked once: every
    service the step calls gets that same instance, as the step's earlier services left it.
    """
    pk = getattr(ticket, "pk", ticket)
    try:
        with transaction.atomic(savepoint=savepoint_needed()):
            if not in_callers_transaction():
                yield _locked_rows().get(pk=pk)
            else:
                locked = already_locked(pk)
                if locked is None:
                    locked = _locked_rows().get(pk=pk)
                    remember_locked(locked)
                yield locked
    except ConcurrentTransition as exc:
        # SQLite has no row locks: the state-guarded UPDATE is what catches the loser there.
        # The failed save marked the transaction for rollback, so the state is read after leaving it
        # (inside a caller's transaction that is rolling back too, it cannot be read at all).
        current = None
        if not transaction.get_connection().needs_rollback:
            current = Ticket.objects.filter(pk=pk).values_list("state", flat=True).first()
        raise TicketStateConflict(current_state=current) from exc


def _guard(ticket, method, actor):
    meta = method._django_fsm
    any_transition = next(iter(meta.transitions.values()))
    if not any_transition.has_perm(ticket, actor):
        raise TicketPermissionDenied()
    if not meta.has_transition(ticket.state):
        raise TicketStateConflict(
            _("工单当前状态为「%(state)s」,不能执行此操作。") % {"state": ticket.get_state_display()},
            current_state=ticket.state,
        )


def _run(ticket, method, **kwargs):
    """Take the transition; if one of its conditions is not met, say which (django-fsm checks them
    once, as it runs the method: reading them beforehand as well would ask the database twice)."""
    try:
        method(**kwargs)
    except TransitionNotAllowed:
        for condition in method._django_fsm.get_transition(ticket.state).conditions:
            if not condition(ticket):
                raise TicketValidationError({condition.field: condition.message}) from None
        raise


def _transition(ticket, actor, name, *, event, fields, payload=None, **kwargs):
    method = getattr(ticket, name)
    _guard(ticket, method, actor)
    from_state = ticket.state
    at = timezone.now()
    _run(ticket, method, at=at, **kwargs)
    ticket.save(update_fields=["state", "updated_at", *fields])
    record_event(
        ticket=ticket, kind=event, actor=actor, from_state=from_state, to_state=ticket.state,
        payload=payload or {}, at=at,
    )
    return ticket


def _require_text(value, field, message):
    text = (value or "").strip()
    if not text:
        raise TicketValidationError({field: message})
    return text


def as_deadline(value):
    """A due date means the end of that day in the office's time zone."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time(23, 59, 59)))
    raise TicketValidationError({"due_at": _("请填写整改期限。")})


def _future_deadline(value):
    due_at = as_deadline(value)
    if due_at <= timezone.now():
        raise TicketValidationError({"due_at": _("整改期限须晚于当前时间。")})
    return due_at


def _appointed_level(chief, segment):
    appointment = chief_appointment(chief=chief, segment=segment)
    if appointment is None:
        raise TicketValidationError({"chief": _("所选人员不是该河段的在任河长。")})
    return appointment.level


def _deadline_basis(ticket, payload, deadline_rule, deadline_provisional):
    """Record which rule produced the deadline (deadlines/ computes it; a bare date is the office's own)."""
    ticket.deadline_rule = deadline_rule or DEADLINE_RULE_MANUAL
    ticket.deadline_provisional = bool(deadline_provisional)
    if deadline_rule:
        payload["deadline_rule"] = deadline_rule
    if deadline_provisional:
        payload["deadline_provisional"] = True
    return ["deadline_rule", "deadline_provisional"]


def ticket_assign(*, ticket, actor, chief, due_at, instructions="", deadline_rule="", deadline_provisional=False):
    with locked_ticket(ticket) as ticket:
        if not rules.may_assign(ticket, actor):
            raise TicketPermissionDenied()
        due_at = _future_deadline(due_at)
        level = _appointed_level(chief, ticket.segment)
        payload = {"chief": chief.pk, "chief_name": str(chief), "level": level, "due_at": due_at,
                   "instructions": instructions}
        basis_fields = _deadline_basis(ticket, payload, deadline_rule, deadline_provisional)
        return _transition(
            ticket, actor, "assign", event=EventKind.ASSIGNED,
            fields=["responsible_chief", "responsible_level", "due_at", "instructions", "assigned_at",
                    *basis_fields],
            payload=payload,
            chief=chief, level=level, due_at=due_at, instructions=(instructions or "").strip(),
        )


def ticket_start(*, ticket, actor):
    with locked_ticket(ticket) as ticket:
        return _transition(ticket, actor, "start", event=EventKind.STARTED, fields=["started_at"])


def ticket_submit(*, ticket, actor, measures):
    with locked_ticket(ticket) as ticket:
        if not rules.may_rectify(ticket, actor):
            raise TicketPermissionDenied()
        measures = _require_text(measures, "measures", _("请填写整改措施。"))
        return _transition(
            ticket, actor, "submit", event=EventKind.SUBMITTED,
            fields=["measures", "rectified_by", "submitted_at"], payload={"measures": measures},
            measures=measures, by=actor,
        )


def ticket_reject(*, ticket, actor, reason):
    with locked_ticket(ticket) as ticket:
        if not rules.may_verify(ticket, actor):
            raise TicketPermissionDenied(_("核查须由河长办或核查员进行,且不能是整改人本人。"))
        reason = _require_text(reason, "reason", _("请填写退回理由。"))
        _transition(
            ticket, actor, "reject", event=EventKind.REJECTED, fields=["rejection_count", "submitted_at"],
            payload={"reason": reason},
        )
        return ticket


def ticket_verify(*, ticket, actor, comment=""):
    with locked_ticket(ticket) as ticket:
        if not rules.may_verify(ticket, actor):
            raise TicketPermissionDenied(_("核查须由河长办或核查员进行,且不能是整改人本人。"))
        return _transition(
            ticket, actor, "verify", event=EventKind.VERIFIED, fields=["verified_by", "verified_at"],
            payload={"comment": (comment or "").strip()}, by=actor,
        )


def ticket_close(*, ticket, actor, comment=""):
    with locked_ticket(ticket) as ticket:
        return _transition(
            ticket, actor, "close", event=EventKind.CLOSED, fields=["closed_at"],
            payload={"comment": (comment or "").strip()},
        )


def ticket_cancel(*, ticket, actor, reason):
    with locked_ticket(ticket) as ticket:
        if not rules.may_cancel(ticket, actor):
            raise TicketPermissionDenied()
        reason = _require_text(reason, "reason", _("请填写撤销理由(如重复上报、不属实)。"))
        return _transition(
            ticket, actor, "cancel", event=EventKind.CANCELLED, fields=["cancelled_at"],
            payload={"reason": reason},
        )


def ticket_reopen(*, ticket, actor, reason):
    with locked_ticket(ticket) as ticket:
        if not rules.may_reopen(ticket, actor):
            raise TicketPermissionDenied()
        reason = _require_text(reason, "reason", _("请填写重新整改的理由。"))
        return _transition(
            ticket, actor, "reopen", event=EventKind.REOPENED,
            fields=["closed_at", "verified_at", "verified_by", "submitted_at"], payload={"reason": reason},
        )


# Reassignment and deadline changes are events on a ticket whose chief is at work, not states.
REASSIGNABLE_STATES = {TicketState.ASSIGNED, TicketState.RECTIFYING}
DEADLINE_STATES = {TicketState.ASSIGNED, TicketState.RECTIFYING, TicketState.SUBMITTED}


def _require_state(ticket, states):
    if ticket.state not in states:
        raise TicketStateConflict(
            _("工单当前状态为「%(state)s」,不能执行此操作。") % {"state": ticket.get_state_display()},
            current_state=ticket.state,
        )


def ticket_reassign(*, ticket, actor, chief, reason, due_at=None, deadline_rule="", deadline_provisional=False):
    with locked_ticket(ticket) as ticket:
        if not rules.may_reassign(ticket, actor):
            raise TicketPermissionDenied()
        _require_state(ticket, REASSIGNABLE_STATES)
        reason = _require_text(reason, "reason", _("请填写改派理由。"))
        if chief.pk == ticket.responsible_chief_id:
            raise TicketValidationError({"chief": _("新责任河长与原责任河长相同。")})
        level = _appointed_level(chief, ticket.segment)
        payload = {"from_chief": ticket.responsible_chief_id, "to_chief": chief.pk,
                   "to_chief_name": str(chief), "level": level, "reason": reason}
        fields = ["responsible_chief", "responsible_level", "updated_at"]
        if due_at is not None:
            new_due = _future_deadline(due_at)
            payload.update(old_due_at=ticket.due_at, due_at=new_due)
            ticket.due_at = new_due
            fields.append("due_at")
            fields += _deadline_basis(ticket, payload, deadline_rule, deadline_provisional)
        ticket.responsible_chief, ticket.responsible_level = chief, level
        ticket.save(update_fields=fields)
        record_event(ticket=ticket, kind=EventKind.REASSIGNED, actor=actor, payload=payload)
        return ticket


def ticket_change_deadline(*, ticket, actor, due_at, reason, deadline_rule="", deadline_provisional=False):
    with locked_ticket(ticket) as ticket:
        if not rules.may_change_deadline(ticket, actor):
            raise TicketPermissionDenied()
        _require_state(ticket, DEADLINE_STATES)
        reason = _require_text(reason, "reason", _("请填写调整期限的理由。"))
        new_due = _future_deadline(due_at)
        payload = {"old_due_at": ticket.due_at, "due_at": new_due, "reason": reason}
        ticket.due_at = new_due
        basis_fields = _deadline_basis(ticket, payload, deadline_rule, deadline_provisional)
        ticket.save(update_fields=["due_at", "updated_at", *basis_fields])
        record_event(ticket=ticket, kind=EventKind.DEADLINE_CHANGED, actor=actor, payload=payload)
        return ticket


def ticket_comment(*, ticket, actor, text):
    with locked_ticket(ticket) as ticket:
        if not rules.may_comment(ticket, actor):
            raise TicketPermissionDenied()
        text = _require_text(text, "text", _("请填写备注内容。"))
        return record_event(ticket=ticket, kind=EventKind.COMMENTED, actor=actor, payload={"text": text})
