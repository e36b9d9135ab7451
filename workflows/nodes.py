"""viewflow's If and End nodes without the savepoint each takes around its work.

viewflow wraps a gateway's condition and the End node's bookkeeping in a savepoint, so that an error
there can mark the task as failed while the rest of the transaction goes on. In this flow they run
inside a step's transaction that any error ends anyway (workflows.services._FlowStep), and the gate
only compares the ticket's state already in memory: the savepoints bought nothing and cost two
round trips each, on every verification and every close.
"""

from django.utils.timezone import now
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import PROCESS


class _IfActivation(IfActivation):
    @Activation.status.super()
    def activate(self):
        self._condition_result = self.flow_task._condition(self)


class _EndActivation(EndActivation):
    @Activation.status.super()
    def activate(self):
        """As viewflow's: the run is finished once no other task of it is still open."""
        self.task.started = now()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        still_open = (
            self.flow_class.task_class._default_manager.filter(process=self.process, finished__isnull=True)
            .exclude(pk=self.task.pk)
            .exists()
        )
        if not still_open:
            self.process.status = PROCESS.DONE
            self.process.finished = now()
            self.process.save()
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
        if not still_open:
            flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class If(flow.If):
    activation_class = _IfActivation


class End(flow.End):
    activation_class = _EndActivation
