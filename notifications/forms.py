from django import forms

from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_enabled", "email", "webhook_enabled", "webhook", "digest_enabled", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webhook"].queryset = self.fields["webhook"].queryset.filter(is_active=True)
