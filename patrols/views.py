"""Patrol pages: the office sees every patrol, a chief their own."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from tickets import rules
from tickets.errors import TicketError
from workflows.pagination import CappedPaginator

from .forms import PatrolForm
from .selectors import patrols_visible_to
from .services import patrol_record


class PatrolListView(LoginRequiredMixin, TemplateView):
    template_name = "patrols/patrol_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = patrols_visible_to(self.request.user)
        if self.request.GET.get("invalid"):
            queryset = queryset.filter(is_valid=False)
        # Patrols are the fastest-growing table: the page's count stops at the list cap.
        page = CappedPaginator(queryset, 30).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, patrols=page.object_list, is_office=rules.is_office(self.request.user),
                       may_record=rules.is_office(self.request.user) or rules.is_chief(self.request.user))
        return context


class PatrolDetailView(LoginRequiredMixin, TemplateView):
    template_name = "patrols/patrol_detail.html"

    def get_context_data(self, **kwargs):
        patrol = (patrols_visible_to(self.request.user).prefetch_related("photos", "findings__ticket")
                  .filter(pk=kwargs["pk"]).first())
        if patrol is None:
            raise Http404
        return super().get_context_data(patrol=patrol, **kwargs)


class PatrolCreateView(LoginRequiredMixin, FormView):
    template_name = "patrols/patrol_form.html"
    form_class = PatrolForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        findings = []
        if data.get("finding_category"):
            findings.append({"category": data["finding_category"], "description": data["finding_description"]})
        try:
            patrol, _created = patrol_record(
                actor=self.request.user, chief=data.get("chief") or self.request.user, segment=data["segment"],
                started_at=data["started_at"], ended_at=data["ended_at"], distance_m=data["distance_m"],
                notes=data["notes"], photos=data["photos"], findings=findings,
            )
        except TicketError as exc:
            for field, message in getattr(exc, "errors", {"__all__": exc.message}).items():
                form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("patrols:detail", args=[patrol.pk]))
