"""Forms of the web UI: they parse input only; the services in workflows.services validate and act."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import AttachmentKind, Category, Segment, Severity, Source
from tickets.models.organisation import LEVEL_ORDER

DATE_FORMAT = "%Y-%m-%d"


class DateInput(forms.DateInput):
    # viewflow's date field needs an input-mask friendly format; ISO reads the same in both languages.
    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATE_FORMAT)


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label, required=required, help_text=help_text, widget=DateInput(), input_formats=[DATE_FORMAT]
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check type, size and content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ChiefChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        level = getattr(user, "ui_level_label", "")
        name = user.get_full_name() or user.get_username()
        return f"{name}({level})" if level else name


def chiefs_of_segment(segment):
    """The chiefs appointed on the segment today, village level first (the usual assignee)."""
    from tickets.models import ChiefAppointment

    today = timezone.localdate()
    appointments = ChiefAppointment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), segment=segment, start_date__lte=today
    ).select_related("chief")
    ordered = sorted(appointments, key=lambda a: -LEVEL_ORDER.index(a.level))
    users = []
    for appointment in ordered:
        user = appointment.chief
        user.ui_level_label = appointment.get_level_display()
        users.append(user)
    return users


def _chief_field(ticket, *, label, exclude=None):
    chiefs = [u for u in chiefs_of_segment(ticket.segment) if u.pk != exclude]
    field = ChiefChoiceField(label=label, queryset=get_user_model().objects.filter(pk__in=[u.pk for u in chiefs]))
    # Keep the order and level labels computed above instead of the queryset's.
    field.choices = [("", "---------")] + [(u.pk, field.label_from_instance(u)) for u in chiefs]
    return field


class SegmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, segment):
        return f"{segment.river.name} · {segment.name}({segment.area.name})"


class OpenTicketForm(forms.Form):
    segment = SegmentChoiceField(
        label=_("河段"), queryset=Segment.objects.select_related("river", "area").order_by("river__code", "code")
    )
    source = forms.ChoiceField(label=_("问题来源"), choices=Source.choices)
    source_reference = forms.CharField(
        label=_("来源文号"), max_length=100, required=False, help_text=_("检察建议、督办通知须填写文号。")
    )
    received_on = date_field(_("收到日期"), required=False, help_text=_("留空则为今天。"))
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices, initial=Severity.MINOR)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea)
    address = forms.CharField(label=_("地点描述"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False)
    before_photos = MultipleFileField(label=_("整改前照片"), required=False)
    source_documents = MultipleFileField(
        label=_("来源文件"), required=False, widget=MultipleFileInput(), help_text=_("PDF、Word 等。")
    )

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        attachments = [(f, AttachmentKind.BEFORE) for f in data.pop("before_photos")]
        attachments += [(f, AttachmentKind.SOURCE_DOCUMENT) for f in data.pop("source_documents")]
        return data | {"attachments": attachments}


class AssignForm(forms.Form):
    due_at = date_field(
        _("整改期限"), required=False,
        help_text=_("留空则按期限规则计算(检察建议:收到后两个月;省级督办须填写通知上的期限)。"),
    )
    instructions = forms.CharField(label=_("交办要求"), widget=forms.Textarea, required=False)

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"chief": _chief_field(ticket, label=_("责任河长")), **self.fields}


class ConfirmForm(forms.Form):
    """An action with nothing to fill in."""


class SubmitForm(forms.Form):
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea)
    after_photos = MultipleFileField(
        label=_("整改后照片"), required=False, help_text=_("提交整改须至少有一张整改后照片。")
    )


class VerifyForm(forms.Form):
    comment = forms.CharField(label=_("核查意见"), widget=forms.Textarea, required=False)
    photos = MultipleFileField(label=_("核查照片"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea)
    photos = MultipleFileField(label=_("核查照片"), required=False)


class CloseForm(forms.Form):
    comment = forms.CharField(label=_("销号意见"), widget=forms.Textarea, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea)


class ReassignForm(forms.Form):
    reason = forms.CharField(label=_("改派理由"), widget=forms.Textarea)
    due_at = date_field(_("新的整改期限"), required=False, help_text=_("留空则不变。"))

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        chief = _chief_field(ticket, exclude=ticket.responsible_chief_id, label=_("新责任河长"))
        self.fields = {"chief": chief, **self.fields}


class DeadlineForm(forms.Form):
    due_at = date_field(_("新的整改期限"))
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("备注内容"), widget=forms.Textarea)


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("附件类型"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("文件"))
