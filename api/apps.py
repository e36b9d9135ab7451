from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("接口")

    def ready(self):
        # Registers the OpenAPI description of the token authentication.
        from . import schema  # noqa: F401
