"""The ticket page: every field, photos, the flow chart, the audit trail, and the viewer's buttons."""

from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from viewflow.workflow import chart

from tickets.models import AttachmentKind
from tickets.selectors import ticket_history

from ..actions import available_actions
from ..flows import RectificationFlow
from ..selectors import open_task, process_of
from .common import visible_ticket_or_404

PHOTO_KINDS = [AttachmentKind.BEFORE, AttachmentKind.AFTER, AttachmentKind.VERIFICATION]


def flow_chart_svg(process):
    """viewflow's chart of the flow, with this run's tasks coloured by status (the open one stands out)."""
    grid = chart.calc_layout_data(RectificationFlow)
    if process is not None:
        chart.calc_cell_status(RectificationFlow, grid, process.pk)
    # Rendered by viewflow's own template from our flow definition: no user input reaches it.
    return mark_safe(chart.grid_to_svg(grid))  # noqa: S308


# Payload keys that hold a user id; the timeline shows the person's name as it is now.
PEOPLE_KEYS = ("chief", "to_chief", "from_chief")


def with_people(events):
    """Attach ``people`` {user id: name} to each event, loaded in one query for the whole trail."""
    ids = {e.payload.get(key) for e in events for key in PEOPLE_KEYS if isinstance(e.payload, dict)}
    ids.discard(None)
    users = get_user_model().objects.filter(pk__in=ids) if ids else []
    people = {user.pk: user.get_full_name() or user.get_username() for user in users}
    for event in events:
        event.people = people
    return events


class TicketDetailView(LoginRequiredMixin, TemplateView):
    template_name = "workflows/ticket_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        ticket = visible_ticket_or_404(user, kwargs["number"])
        attachments = list(ticket.attachments.select_related("uploaded_by"))
        photos = [
            (kind.label, [a for a in attachments if a.kind == kind and a.is_image]) for kind in PHOTO_KINDS
        ]
        task = open_task(ticket)
        context.update(
            ticket=ticket,
            photos=photos,
            documents=[a for a in attachments if not (a.kind in PHOTO_KINDS and a.is_image)],
            events=with_people(ticket_history(ticket=ticket)),
            actions=available_actions(ticket, user, task=task),
            task=task,
            chart_svg=flow_chart_svg(process_of(ticket)),
        )
        return context
