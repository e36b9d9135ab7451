from django.shortcuts import redirect
from django.views import View


class TaskRedirectView(View):
    """Viewflow's task links land on the ticket page, where the actions are."""

    def dispatch(self, request, *args, **kwargs):
        from workflows.selectors import ticket_of_task

        ticket = ticket_of_task(kwargs.get("task_pk"))
        return redirect("tickets:detail", number=ticket.number) if ticket else redirect("tickets:home")
