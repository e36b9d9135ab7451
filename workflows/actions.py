"""What a user may do to a ticket right now: the buttons the ticket page shows.

Every answer comes from tickets.rules (who) and the ticket's state plus the flow's
open task (when). The services make the same checks again under a lock; this module
only decides what to offer, so a button is never shown for an action the service
would refuse.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tickets import rules
from tickets.models import TicketState

from .flows import TASK_FOR_STATE
from .selectors import open_task

ALLOWED = "allowed"
FORBIDDEN = "forbidden"  # the user may never do this to this ticket: 403
WRONG_STATE = "wrong_state"  # the user could, but not in the ticket's current state


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    icon: str
    permission: object  # rules.may_*(ticket, user)
    states: frozenset  # states in which the action is possible
    node: str | None = None  # the flow node whose open task the action completes
    primary: bool = False
    danger: bool = False


ACTIONS = [
    Action("assign", _("交办"), "assignment_ind", rules.may_assign,
           frozenset({TicketState.REPORTED}), node="assign", primary=True),
    Action("start", _("开始整改"), "play_arrow", rules.may_rectify,
           frozenset({TicketState.ASSIGNED}), node="rectify", primary=True),
    Action("submit", _("提交整改"), "task_alt", rules.may_rectify,
           frozenset({TicketState.RECTIFYING}), node="rectify", primary=True),
    Action("verify", _("核查通过"), "verified", rules.may_verify,
           frozenset({TicketState.SUBMITTED}), node="verify", primary=True),
    Action("reject", _("核查退回"), "undo", rules.may_verify,
           frozenset({TicketState.SUBMITTED}), node="verify", danger=True),
    Action("close", _("销号"), "done_all", rules.may_close,
           frozenset({TicketState.VERIFIED}), node="close", primary=True),
    Action("reassign", _("改派"), "swap_horiz", rules.may_reassign,
           frozenset({TicketState.ASSIGNED, TicketState.RECTIFYING}), node="rectify"),
    Action("deadline", _("调整期限"), "event", rules.may_change_deadline,
           frozenset({TicketState.ASSIGNED, TicketState.RECTIFYING, TicketState.SUBMITTED})),
    Action("reopen", _("重新整改"), "replay", rules.may_reopen, frozenset({TicketState.CLOSED})),
    Action("cancel", _("撤销"), "cancel", rules.may_cancel,
           frozenset({TicketState.REPORTED, TicketState.ASSIGNED}), danger=True),
    Action("attach", _("上传附件"), "attach_file", rules.may_attach,
           frozenset(TicketState.values) - {TicketState.CLOSED, TicketState.CANCELLED}),
    Action("comment", _("备注"), "comment", rules.may_comment, frozenset(TicketState.values)),
]
BY_NAME = {action.name: action for action in ACTIONS}

_NO_TASK = object()


def action_status(ticket, user, name, *, task=_NO_TASK):
    """ALLOWED, FORBIDDEN or WRONG_STATE for one action; ``task`` is the ticket's open task if known."""
    action = BY_NAME[name]
    if not rules.may_view(ticket, user) or not action.permission(ticket, user):
        return FORBIDDEN
    if ticket.state not in action.states:
        return WRONG_STATE
    if action.node:
        task = open_task(ticket) if task is _NO_TASK else task
        # The ticket and its flow move together; if they ever disagree, offer nothing the flow would refuse.
        if task is None or task.flow_task.name != action.node or TASK_FOR_STATE.get(ticket.state) != action.node:
            return WRONG_STATE
    return ALLOWED


def available_actions(ticket, user, *, task=_NO_TASK):
    """The actions ``user`` may take on ``ticket`` now, in the order the page shows them."""
    if task is _NO_TASK:
        task = open_task(ticket)
    return [action for action in ACTIONS if action_status(ticket, user, action.name, task=task) == ALLOWED]
