"""The ticket list: TicketFilter (shared with the API and the ledger) over the viewer's tickets."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView
from viewflow.forms import Layout, Row

from tickets import rules
from tickets.selectors import ticket_list

from ..filters import TicketFilter
from ..pagination import CappedPaginator
from .common import annotate_overdue

PAGE_SIZE = 25
DEFAULT_ORDERING = ["-reported_at", "-pk"]
FILTER_LAYOUT = Layout(
    Row("q", "state", "source"),
    Row("category", "severity", "river"),
    Row("area", "chief", "overdue"),
    Row("reported_from", "reported_to", "ordering"),
)


class TicketListView(LoginRequiredMixin, TemplateView):
    template_name = "workflows/ticket_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = annotate_overdue(ticket_list(viewer=self.request.user)).order_by(*DEFAULT_ORDERING)
        filterset = TicketFilter(self.request.GET or None, queryset=queryset, request=self.request)
        tickets = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        # A stable order under pagination: the chosen sort, then newest first.
        if filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data.get("ordering"):
            tickets = tickets.order_by(*filterset.form.cleaned_data["ordering"], "-pk")
        # The count stops at a cap (a province's overdue list is ~100,000 rows): "at least" beyond it.
        page = CappedPaginator(tickets, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            filterset=filterset,
            filter_layout=FILTER_LAYOUT,
            page_obj=page,
            paginator=page.paginator,
            tickets=page.object_list,
            ordering=self.request.GET.get("ordering", ""),
            filters_active=any(k not in ("page", "ordering") and any(v) for k, v in self.request.GET.lists()),
            may_open=rules.may_open(self.request.user),
        )
        return context
