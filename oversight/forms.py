from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Area

from . import periods
from .models import AssessmentWeights


class PeriodForm(forms.Form):
    period = forms.CharField(label=_("周期"), help_text=_("月:2026-03;季度:2026-Q1;年:2026"), max_length=10)
    area = forms.ModelChoiceField(label=_("区域"), queryset=Area.objects.all(), required=False,
                                  empty_label=_("全部区域"))

    def __init__(self, *args, kinds=("month", "quarter", "year"), **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds

    def clean_period(self):
        try:
            period = periods.parse(self.cleaned_data["period"])
        except periods.PeriodError as exc:
            raise forms.ValidationError(_("周期格式应为 2026-03、2026-Q1 或 2026。")) from exc
        if period.kind not in self.kinds:
            raise forms.ValidationError(_("此处只能选择季度或年度。"))
        return period


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))


class WeightsForm(forms.ModelForm):
    class Meta:
        model = AssessmentWeights
        fields = ["patrol_rate", "resolution_rate", "on_time_rate", "escalation"]

    def clean(self):
        data = super().clean()
        if sum(data.get(f) or 0 for f in self.Meta.fields) == 0:
            raise forms.ValidationError(_("权重之和须大于 0。"))
        return data
