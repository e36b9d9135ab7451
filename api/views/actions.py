"""The flow's actions, each a ``POST /api/tickets/{number}/<action>/`` calling one workflows service.

Who may act is checked with tickets.rules before the call, so an action the user may never take
answers 403 whatever the ticket's state; the service checks again under the row lock and answers
409 when the state no longer allows it (e.g. another user acted first).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from deadlines import selectors as deadline_selectors
from deadlines import services as deadline_services
from tickets import rules
from tickets.errors import TicketPermissionDenied, TicketStateConflict
from tickets.models import TicketState
from tickets.models.tickets import CLOCK_RUNNING_STATES
from workflows import services

from ..idempotency import idempotent
from ..selectors import visible_ticket
from ..serializers import actions as inputs
from ..serializers.tickets import TicketDetailOut
from .tickets import detail_data

S = TicketState


@dataclass(frozen=True)
class Action:
    name: str
    summary: str
    serializer: Any
    rule: Any
    states: frozenset | None  # None: any state
    call: Any
    when: Any = None  # a further test for allowed_actions (e.g. a pending extension to decide)


def _decide_extension(ticket, actor, data):
    pending = deadline_selectors.pending_extension(ticket)
    if pending is None:
        raise TicketStateConflict(_("该工单没有待审批的延期申请。"), current_state=ticket.state)
    if data["decision"] == "approve":
        return deadline_services.extension_approve(
            request=pending, actor=actor, due_at=data.get("due_at"), comment=data.get("comment", "")
        )
    return deadline_services.extension_refuse(request=pending, actor=actor, reason=data.get("comment", ""))


RUNNING = frozenset(CLOCK_RUNNING_STATES)

ACTIONS = [
    Action("assign", "交办 / assign", inputs.AssignIn, rules.may_assign, frozenset({S.REPORTED}),
           lambda t, u, d: services.assign_ticket(ticket=t, actor=u, **d)),
    Action("start", "开始整改 / start rectifying", inputs.EmptyIn, rules.may_rectify, frozenset({S.ASSIGNED}),
           lambda t, u, d: services.start_rectification(ticket=t, actor=u)),
    Action("submit", "提交整改 / submit the rectification", inputs.SubmitIn, rules.may_rectify,
           frozenset({S.RECTIFYING}), lambda t, u, d: services.submit_rectification(ticket=t, actor=u, **d)),
    Action("verify", "核查通过 / verify", inputs.CommentOptionalIn, rules.may_verify, frozenset({S.SUBMITTED}),
           lambda t, u, d: services.verify_ticket(ticket=t, actor=u, **d)),
    Action("reject", "核查退回 / reject", inputs.ReasonIn, rules.may_verify, frozenset({S.SUBMITTED}),
           lambda t, u, d: services.reject_ticket(ticket=t, actor=u, **d)),
    Action("close", "销号 / close", inputs.CommentOptionalIn, rules.may_close, frozenset({S.VERIFIED}),
           lambda t, u, d: services.close_ticket(ticket=t, actor=u, **d)),
    Action("cancel", "撤销 / cancel", inputs.ReasonIn, rules.may_cancel, frozenset({S.REPORTED, S.ASSIGNED}),
           lambda t, u, d: services.cancel_ticket(ticket=t, actor=u, **d)),
    Action("reopen", "重新整改 / reopen", inputs.ReasonIn, rules.may_reopen, frozenset({S.CLOSED}),
           lambda t, u, d: services.reopen_ticket(ticket=t, actor=u, **d)),
    Action("reassign", "改派 / reassign", inputs.ReassignIn, rules.may_reassign,
           frozenset({S.ASSIGNED, S.RECTIFYING}), lambda t, u, d: services.reassign_ticket(ticket=t, actor=u, **d)),
    Action("deadline", "调整期限 / change the deadline", inputs.DeadlineIn, rules.may_change_deadline,
           frozenset({S.ASSIGNED, S.RECTIFYING, S.SUBMITTED}),
           lambda t, u, d: services.change_deadline(ticket=t, actor=u, **d)),
    Action("comment", "备注 / comment", inputs.CommentIn, rules.may_comment, None,
           lambda t, u, d: services.comment_on_ticket(ticket=t, actor=u, **d)),
    # Deadlines (deadlines.services): extension requests and pausing the clock.
    Action("extension-request", "申请延期 / request an extension", inputs.ExtensionRequestIn, rules.may_rectify,
           RUNNING, lambda t, u, d: deadline_services.extension_request(ticket=t, actor=u, **d),
           lambda t: deadline_selectors.pending_extension(t) is None),
    Action("extension-decide", "审批延期 / decide an extension", inputs.ExtensionDecisionIn,
           rules.may_change_deadline, frozenset({S.ASSIGNED, S.RECTIFYING, S.SUBMITTED}), _decide_extension,
           lambda t: deadline_selectors.pending_extension(t) is not None),
    Action("suspend", "暂停计时 / suspend the clock", inputs.ReasonIn, rules.may_change_deadline, RUNNING,
           lambda t, u, d: deadline_services.ticket_suspend(ticket=t, actor=u, **d),
           lambda t: deadline_selectors.open_suspension(t) is None),
    Action("resume", "恢复计时 / resume the clock", inputs.EmptyIn, rules.may_change_deadline, RUNNING,
           lambda t, u, d: deadline_services.ticket_resume(ticket=t, actor=u),
           lambda t: deadline_selectors.open_suspension(t) is not None),
]


def allowed_actions(ticket, user):
    """What this user could do on the ticket now (for the app's buttons; the server decides again)."""
    return [
        a.name for a in ACTIONS
        if (a.states is None or ticket.state in a.states) and a.rule(ticket, user) and (a.when is None or a.when(ticket))
    ]


def action_view(action):
    class TicketActionView(APIView):
        @extend_schema(
            operation_id=f"tickets_{action.name.replace('-', '_')}",
            summary=action.summary,
            tags=["actions"],
            request=action.serializer,
            responses={200: TicketDetailOut},
        )
        @idempotent
        def post(self, request, number):
            ticket = visible_ticket(viewer=request.user, number=number)
            if not action.rule(ticket, request.user):
                raise TicketPermissionDenied()
            data = action.serializer(data=request.data)
            data.is_valid(raise_exception=True)
            action.call(ticket, request.user, dict(data.validated_data))
            return Response(detail_data(ticket, request))

    camel = "".join(part.title() for part in action.name.split("-"))
    TicketActionView.__name__ = TicketActionView.__qualname__ = f"Ticket{camel}View"
    return TicketActionView.as_view()
