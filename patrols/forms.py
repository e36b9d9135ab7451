from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tickets import rules
from tickets.models import Category, Segment


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class PatrolForm(forms.Form):
    chief = forms.ModelChoiceField(label=_("河长"), queryset=get_user_model().objects.none(), required=False)
    segment = forms.ModelChoiceField(label=_("河段"), queryset=Segment.objects.select_related("river"))
    started_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    distance_m = forms.IntegerField(label=_("巡河里程(米)"), min_value=0)
    notes = forms.CharField(label=_("巡河记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = MultipleFileField(label=_("照片"), required=False)
    finding_category = forms.ChoiceField(label=_("发现问题类别"), choices=[("", "—"), *Category.choices], required=False)
    finding_description = forms.CharField(
        label=_("发现问题描述"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("填写后将以“巡河发现”为来源上报一个问题。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if rules.is_office(user):
            self.fields["chief"].queryset = get_user_model().objects.filter(groups__name="chief").distinct()
            self.fields["chief"].required = True
        else:
            del self.fields["chief"]
            self.fields["segment"].queryset = Segment.objects.filter(appointments__chief=user).distinct()

    def clean(self):
        data = super().clean()
        if bool(data.get("finding_category")) != bool((data.get("finding_description") or "").strip()):
            raise forms.ValidationError(_("发现问题须同时填写类别和描述。"))
        return data
