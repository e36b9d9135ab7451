"""The forms that act on a ticket: GET shows the form, POST calls one service.

A service's TicketValidationError lands next to the field it names; TicketPermissionDenied is a 403;
TicketStateConflict (someone else acted first) re-renders the form with everything the user typed
and says what state the ticket is in now.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tickets import rules
from tickets.errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError
from tickets.models import TicketState

from .. import forms, services
from ..actions import BY_NAME, FORBIDDEN, WRONG_STATE, action_status
from .common import visible_ticket_or_404

FILES_NOT_KEPT = gettext_lazy("浏览器不保留已选择的文件,请重新选择后再提交。")


def state_label(state):
    return TicketState(state).label if state in TicketState.values else state


def add_service_errors(form, exc, field_map=None):
    """Put each of the service's {field: message} next to the form field it belongs to."""
    field_map = field_map or {}
    for field, message in exc.errors.items():
        field = field_map.get(field, field)
        form.add_error(field if field in form.fields else None, message)


class BaseFormView(LoginRequiredMixin, View):
    template_name = "workflows/action_form.html"
    form_class = forms.ConfirmForm
    # Service error field -> form field, where the service names a field differently.
    field_map = {}
    title = ""
    submit_label = gettext_lazy("提交")
    help_text = ""

    def get_form_kwargs(self):
        return {}

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, **self.get_form_kwargs())

    def render_form(self, form, *, status=200, conflict=None):
        if form.is_bound and self.request.FILES and (form.errors or conflict):
            form.add_error(None, FILES_NOT_KEPT)
        context = self.get_context_data(form=form, conflict=conflict)
        return render(self.request, self.template_name, context, status=status)

    def get_context_data(self, **kwargs):
        return {
            "title": self.title,
            "submit_label": self.submit_label,
            "help_text": self.help_text,
            "multipart": any(getattr(f.widget, "needs_multipart_form", False) for f in kwargs["form"].fields.values()),
            **kwargs,
        }

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        try:
            result = self.call_service(form)
        except TicketPermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except TicketValidationError as exc:
            add_service_errors(form, exc, self.field_map)
            return self.render_form(form)
        except TicketStateConflict as exc:
            return self.on_conflict(form, exc)
        return self.on_success(result)


class TicketActionView(BaseFormView):
    """One action on one ticket; subclasses name the action, its form and its service."""

    action = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.ticket = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.ticket = visible_ticket_or_404(request.user, kwargs["number"])
        self.status = action_status(self.ticket, request.user, self.action)
        if self.status == FORBIDDEN:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return BY_NAME[self.action].label

    @property
    def submit_label(self):
        return BY_NAME[self.action].label

    def get_form_kwargs(self):
        return {}

    def get(self, request, *args, **kwargs):
        conflict = None
        if self.status == WRONG_STATE:
            conflict = self.conflict_message(self.ticket.state)
        return self.render_form(self.get_form(), conflict=conflict)

    def conflict_message(self, state, detail=None):
        message = _("工单当前状态为「%(state)s」,不能执行「%(action)s」。") % {
            "state": state_label(state),
            "action": BY_NAME[self.action].label,
        }
        return f"{detail} {message}" if detail and str(detail) != message else message

    def on_conflict(self, form, exc):
        # Show the ticket as it is now, and keep the form as the user filled it.
        self.ticket = visible_ticket_or_404(self.request.user, self.ticket.number)
        return self.render_form(form, status=409, conflict=self.conflict_message(exc.current_state, exc.message))

    def on_success(self, result):
        messages.success(self.request, _("已%(action)s。") % {"action": BY_NAME[self.action].label})
        return redirect("tickets:detail", number=self.ticket.number)

    def get_context_data(self, **kwargs):
        return super().get_context_data(ticket=self.ticket, action=BY_NAME[self.action], **kwargs)

    def service_args(self):
        return {"ticket": self.ticket, "actor": self.request.user}


class AssignView(TicketActionView):
    action = "assign"
    form_class = forms.AssignForm

    def get_form_kwargs(self):
        return {"ticket": self.ticket}

    def call_service(self, form):
        return services.assign_ticket(**self.service_args(), **form.cleaned_data)


class StartView(TicketActionView):
    action = "start"
    help_text = gettext_lazy("确认已接收交办,开始整改。整改期限从交办时起算。")

    def call_service(self, form):
        return services.start_rectification(**self.service_args())


class SubmitView(TicketActionView):
    action = "submit"
    form_class = forms.SubmitForm
    field_map = {"attachments": "after_photos", "file": "after_photos"}

    def call_service(self, form):
        data = form.cleaned_data
        return services.submit_rectification(
            **self.service_args(), measures=data["measures"], after_photos=data["after_photos"]
        )


class VerifyView(TicketActionView):
    action = "verify"
    form_class = forms.VerifyForm
    field_map = {"file": "photos"}

    def call_service(self, form):
        return services.verify_ticket(**self.service_args(), **form.cleaned_data)


class RejectView(TicketActionView):
    action = "reject"
    form_class = forms.RejectForm
    field_map = {"file": "photos"}

    def call_service(self, form):
        return services.reject_ticket(**self.service_args(), **form.cleaned_data)


class CloseView(TicketActionView):
    action = "close"
    form_class = forms.CloseForm

    def call_service(self, form):
        return services.close_ticket(**self.service_args(), **form.cleaned_data)


class CancelView(TicketActionView):
    action = "cancel"
    form_class = forms.ReasonForm
    help_text = gettext_lazy("撤销重复上报或经查不属实的问题。撤销后工单不再处理。")

    def call_service(self, form):
        return services.cancel_ticket(**self.service_args(), **form.cleaned_data)


class ReopenView(TicketActionView):
    action = "reopen"
    form_class = forms.ReasonForm
    help_text = gettext_lazy("已销号的问题复发或整改不实时,退回原责任河长重新整改。")

    def call_service(self, form):
        return services.reopen_ticket(**self.service_args(), **form.cleaned_data)


class ReassignView(TicketActionView):
    action = "reassign"
    form_class = forms.ReassignForm

    def get_form_kwargs(self):
        return {"ticket": self.ticket}

    def call_service(self, form):
        return services.reassign_ticket(**self.service_args(), **form.cleaned_data)


class DeadlineView(TicketActionView):
    action = "deadline"
    form_class = forms.DeadlineForm

    def call_service(self, form):
        return services.change_deadline(**self.service_args(), **form.cleaned_data)


class CommentView(TicketActionView):
    action = "comment"
    form_class = forms.CommentForm

    def call_service(self, form):
        return services.comment_on_ticket(**self.service_args(), **form.cleaned_data)


class AttachView(TicketActionView):
    action = "attach"
    form_class = forms.AttachForm

    def call_service(self, form):
        data = form.cleaned_data
        return services.add_attachment(**self.service_args(), upload=data["file"], kind=data["kind"])


ACTION_VIEWS = {
    view.action: view.as_view()
    for view in [
        AssignView, StartView, SubmitView, VerifyView, RejectView, CloseView, CancelView, ReopenView,
        ReassignView, DeadlineView, CommentView, AttachView,
    ]
}


def ticket_action(request, number, action):
    """/tickets/<number>/<action>/: the view for that action, 404 for a name we do not know."""
    view = ACTION_VIEWS.get(action)
    if view is None:
        raise Http404
    return view(request, number=number)


class OpenTicketView(BaseFormView):
    form_class = forms.OpenTicketForm
    title = gettext_lazy("上报问题")
    submit_label = gettext_lazy("上报")
    field_map = {"file": "before_photos", "attachments": "before_photos"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.may_open(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def call_service(self, form):
        return services.open_ticket(reporter=self.request.user, **form.service_kwargs())

    def on_conflict(self, form, exc):  # opening races with no one
        return self.render_form(form, status=409, conflict=exc.message)

    def on_success(self, ticket):
        messages.success(self.request, _("已上报,工单编号 %(number)s。") % {"number": ticket.number})
        return redirect("tickets:detail", number=ticket.number)
