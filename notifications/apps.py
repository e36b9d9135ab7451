from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        # tickets/ sends the signal and never imports us; we listen from here so that importing
        # the models alone (migrations, shell) has no side effect.
        from django.db.models.signals import post_delete, post_save

        from tickets.models import TicketEvent
        from tickets.signals import event_recorded

        from .models import NotificationRule
        from .outbox import on_event_recorded
        from .recipients import forget_rules

        event_recorded.connect(on_event_recorded, sender=TicketEvent, dispatch_uid="notifications.outbox")
        # The rules are cached per process (recipients.RULES_TTL); an edit here applies at once.
        post_save.connect(forget_rules, sender=NotificationRule, dispatch_uid="notifications.rules.save")
        post_delete.connect(forget_rules, sender=NotificationRule, dispatch_uid="notifications.rules.delete")
