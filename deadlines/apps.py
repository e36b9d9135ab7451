from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("整改期限与督办")

    def ready(self):
        # The clock follows the audit trail: connect the receiver, register the office's warning.
        from . import checks, receivers  # noqa: F401
