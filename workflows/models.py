from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class RectificationProcess(Process):
    """One run of the rectification flow; its artifact is the ticket.

    A reopened ticket gets a new run, so a ticket has one or more processes and
    at most one of them is active.
    """

    class Meta:
        proxy = True
        verbose_name = _("整改流程")
        verbose_name_plural = _("整改流程")
        permissions = [
            ("office_task", _("处理河长办任务(交办、销号)")),
            ("verify_task", _("核查整改")),
        ]

    @property
    def ticket(self):
        return self.artifact
