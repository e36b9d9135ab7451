"""Home: what must I do now. The viewer's inbox, most urgent first; the office also sees the
tickets still waiting to be assigned, and a supervisor the tickets they opened."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import F
from django.views.generic import TemplateView

from tickets import rules
from tickets.models import TicketState
from tickets.selectors import ticket_list

from ..pagination import CappedPaginator
from ..selectors import inbox_tickets
from .common import annotate_overdue

MY_REPORTS_SHOWN = 20
# An office's inbox and queue can hold thousands of tickets in a province: the page shows the most
# urgent ones and says how many there are (counted up to the list cap), the ticket list has the rest.
LIST_SHOWN = 50


def _first_rows(tickets):
    return CappedPaginator(tickets, LIST_SHOWN).page(1)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "workflows/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        inbox = annotate_overdue(inbox_tickets(user))
        queue = None
        if rules.is_office(user):
            # Unassigned tickets are a queue of their own, oldest report first.
            inbox = inbox.exclude(state=TicketState.REPORTED)
            queue = ticket_list(viewer=user).filter(state=TicketState.REPORTED).order_by("reported_at")
        inbox = inbox.order_by(F("is_overdue").desc(), F("due_at").asc(nulls_last=True), "reported_at")
        my_reports = None
        if rules.is_supervisor(user) or not (rules.is_office(user) or rules.is_chief(user)):
            my_reports = annotate_overdue(ticket_list(viewer=user).filter(reporter=user)).order_by(
                "-reported_at"
            )[:MY_REPORTS_SHOWN]
        inbox_page = _first_rows(inbox)
        queue_page = _first_rows(queue) if queue is not None else None
        context.update(
            inbox_page=inbox_page,
            inbox=list(inbox_page.object_list),
            queue_page=queue_page,
            queue=list(queue_page.object_list) if queue_page is not None else None,
            my_reports=list(my_reports) if my_reports is not None else None,
            may_open=rules.may_open(user),
        )
        return context
