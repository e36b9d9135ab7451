from django.contrib.auth.mixins import AccessMixin

from tickets import rules


class OfficeRequiredMixin(AccessMixin):
    """Office staff only: the ledger, imports, publishing, assessment and the dashboard."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not rules.is_office(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
