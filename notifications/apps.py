from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        # tickets/ sends the signal and never imports us; we listen from here so that importing
        # the models alone (migrations, shell) has no side effect.
        from tickets.models import TicketEvent
        from tickets.signals import event_recorded

        from .outbox import on_event_recorded

        event_recorded.connect(on_event_recorded, sender=TicketEvent, dispatch_uid="notifications.outbox")
