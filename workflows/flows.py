"""The rectification flow: who must act next on a ticket.

The ticket's state machine (tickets/) says what may happen; this flow keeps one
open task per ticket, in the inbox of whoever must act. The services in
workflows.services complete a task and call the ticket service in one
transaction, under this flow's lock, so the two always agree.
"""

import random
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.exceptions import FlowLockFailed

from tickets.models import TicketState

from .models import RectificationProcess
from .nodes import End, If
from .task_redirect import TaskRedirectView

_starting_in_callers_transaction = ContextVar("starting_in_callers_transaction", default=False)


@contextmanager
def starting_in_callers_transaction():
    """Around a StartHandle's run inside the caller's transaction (a ticket opened or reopened)."""
    token = _starting_in_callers_transaction.set(True)
    try:
        yield
    finally:
        _starting_in_callers_transaction.reset(token)


class SavepointSelectForUpdateLock(lock.SelectForUpdateLock):
    """viewflow's select_for_update_lock (NOWAIT on the process row, retried with the same backoff), with
    each attempt in its own savepoint.

    viewflow catches the refused NOWAIT inside the block that issued it. Outermost, the aborted
    transaction is quietly rolled back and the retry works; inside a caller's transaction (the API's
    idempotent requests) that block is a savepoint whose release fails, and the loser of a race got
    "current transaction is aborted" (a 500) instead of waiting its turn and finding a conflict.
    """

    @contextmanager
    def __call__(self, flow_class, process_pk):
        if _starting_in_callers_transaction.get():
            # The process row was inserted in the caller's transaction a moment ago: no other
            # transaction can see it yet, so there is nothing to lock it against.
            with transaction.atomic(savepoint=False):
                yield
            return
        rows = flow_class.process_class._default_manager.filter(pk=process_pk)
        # Outermost, a refused NOWAIT just ends the attempt's own transaction; the savepoint (two more
        # round trips per action) is only needed inside a caller's transaction.
        nested = transaction.get_connection().in_atomic_block
        for attempt in range(self.attempts):
            with transaction.atomic():
                try:
                    with transaction.atomic(savepoint=nested):
                        rows.select_for_update(nowait=self.nowait).exists()
                except DatabaseError:
                    pass
                else:
                    yield
                    return
            if attempt == self.attempts - 1:
                raise FlowLockFailed(f"Lock failed for {flow_class}")
            time.sleep(((attempt + 1) * random.random() + 2**attempt) / 2.5)


class RectificationFlow(flow.Flow):
    process_class = RectificationProcess
    lock_impl = SavepointSelectForUpdateLock()
    process_title = _("问题整改")
    process_description = _("上报 → 交办 → 整改 → 核查 → 销号")

    start = flow.StartHandle(this.link_ticket).Annotation(title=_("上报")).Next(this.assign)
    # A closed ticket reopened by the office starts a new run straight at rectification.
    reopen = flow.StartHandle(this.link_ticket).Annotation(title=_("重新整改")).Next(this.rectify)

    assign = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("交办"))
        .Permission("workflows.office_task")
        .Next(this.rectify)
    )
    rectify = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("整改"))
        .Assign(this.responsible_chief)
        .Next(this.verify)
    )
    verify = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("核查"))
        .Permission("workflows.verify_task")
        .Next(this.check_verification)
    )
    check_verification = (
        If(this.is_verified).Annotation(title=_("核查通过?")).Then(this.close).Else(this.rectify)
    )
    close = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("销号"))
        .Permission("workflows.office_task")
        .Next(this.end)
    )
    end = End()

    def link_ticket(self, activation, ticket):
        activation.process.artifact = ticket
        return activation.process

    def responsible_chief(self, activation):
        return activation.process.artifact.responsible_chief

    def is_verified(self, activation):
        return activation.process.artifact.state == TicketState.VERIFIED


# Which node holds the open task while the ticket is in each state.
TASK_FOR_STATE = {
    TicketState.REPORTED: "assign",
    TicketState.ASSIGNED: "rectify",
    TicketState.RECTIFYING: "rectify",
    TicketState.SUBMITTED: "verify",
    TicketState.VERIFIED: "close",
}
