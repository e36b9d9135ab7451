"""Extension requests: the chief asks with a reason and a date, the office approves or refuses."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import rules
from tickets.errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError
from tickets.models import EventKind
from tickets.models.tickets import CLOCK_RUNNING_STATES
from tickets.services import record_event
from tickets.services.transitions import DEADLINE_STATES, as_deadline, locked_ticket

from ..models import ExtensionRequest, ExtensionStatus
from ..policies import RULE_EXTENSION
from ._common import require_state, require_text


def extension_request(*, ticket, actor, reason, proposed_due_at):
    """The responsible chief asks for more time. One request at a time per ticket."""
    with locked_ticket(ticket) as ticket:
        if not rules.may_rectify(ticket, actor):
            raise TicketPermissionDenied(_("只有责任河长可以申请延期。"))
        require_state(ticket, CLOCK_RUNNING_STATES)
        reason = require_text(reason, "reason", _("请填写延期理由。"))
        proposed = as_deadline(proposed_due_at).astimezone(dt.UTC)
        if proposed <= timezone.now() or (ticket.due_at and proposed <= ticket.due_at):
            raise TicketValidationError({"proposed_due_at": _("申请的期限须晚于现有期限和当前时间。")})
        if ExtensionRequest.objects.filter(ticket=ticket, status=ExtensionStatus.PENDING).exists():
            raise TicketStateConflict(_("该工单已有待审批的延期申请。"), current_state=ticket.state)
        request = ExtensionRequest.objects.create(
            ticket=ticket, requested_by=actor, requested_at=timezone.now(), reason=reason,
            proposed_due_at=proposed, old_due_at=ticket.due_at,
        )
        record_event(
            ticket=ticket, kind=EventKind.EXTENSION_REQUESTED, actor=actor,
            payload={"request": request.pk, "proposed_due_at": proposed, "due_at": ticket.due_at, "reason": reason},
        )
        return request


def _pending(request, ticket):
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk, ticket=ticket)
    if request.status != ExtensionStatus.PENDING:
        raise TicketStateConflict(_("该延期申请已处理。"), current_state=ticket.state)
    return request


def extension_approve(*, request, actor, due_at=None, comment=""):
    """Approve, with the date asked for or another one the office sets; the ladder moves with it."""
    with locked_ticket(request.ticket_id) as ticket:
        if not rules.may_change_deadline(ticket, actor):
            raise TicketPermissionDenied()
        request = _pending(request, ticket)
        require_state(ticket, DEADLINE_STATES)
        new_due = as_deadline(due_at).astimezone(dt.UTC) if due_at not in (None, "") else request.proposed_due_at
        if new_due <= timezone.now():
            raise TicketValidationError({"due_at": _("整改期限须晚于当前时间。")})
        now, old_due = timezone.now(), ticket.due_at
        request.status, request.decided_by, request.decided_at = ExtensionStatus.APPROVED, actor, now
        request.approved_due_at, request.decision_reason = new_due, (comment or "").strip()
        request.save(update_fields=["status", "decided_by", "decided_at", "approved_due_at", "decision_reason"])
        ticket.due_at, ticket.deadline_rule, ticket.deadline_provisional = new_due, RULE_EXTENSION, False
        ticket.save(update_fields=["due_at", "deadline_rule", "deadline_provisional", "updated_at"])
        record_event(
            ticket=ticket, kind=EventKind.EXTENSION_APPROVED, actor=actor,
            payload={"request": request.pk, "old_due_at": old_due, "due_at": new_due,
                     "proposed_due_at": request.proposed_due_at, "reason": request.decision_reason},
        )
        return request


def extension_refuse(*, request, actor, reason):
    with locked_ticket(request.ticket_id) as ticket:
        if not rules.may_change_deadline(ticket, actor):
            raise TicketPermissionDenied()
        request = _pending(request, ticket)
        reason = require_text(reason, "reason", _("请填写驳回理由。"))
        request.status, request.decided_by, request.decided_at = ExtensionStatus.REFUSED, actor, timezone.now()
        request.decision_reason = reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record_event(
            ticket=ticket, kind=EventKind.EXTENSION_REFUSED, actor=actor,
            payload={"request": request.pk, "proposed_due_at": request.proposed_due_at, "due_at": ticket.due_at,
                     "reason": reason},
        )
        return request
