from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        # tickets/ sends the signal and never imports us; we listen from here so that importing
        # the models alone (migrations, shell) has no side effect.
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from tickets.models import TicketEvent
        from tickets.signals import event_recorded

        from .models import AreaWebhook, NotificationRule, WebhookEndpoint
        from .outbox import forget_area_robots, on_event_recorded
        from .recipients import forget_group_members, forget_rules

        event_recorded.connect(on_event_recorded, sender=TicketEvent, dispatch_uid="notifications.outbox")
        # What the receiver reads on every event is cached per process (caches.TTL); an edit here applies at once.
        User = get_user_model()
        forgetters = [
            (forget_rules, NotificationRule, "rules"),
            (forget_area_robots, AreaWebhook, "area_robots"),
            (forget_area_robots, WebhookEndpoint, "area_robots.endpoint"),
            # Group membership: a user's groups, an account switched off or renamed, a group renamed.
            (forget_group_members, User, "group_members.user"),
            (forget_group_members, Group, "group_members.group"),
        ]
        for forget, model, name in forgetters:
            post_save.connect(forget, sender=model, dispatch_uid=f"notifications.{name}.save")
            post_delete.connect(forget, sender=model, dispatch_uid=f"notifications.{name}.delete")
        m2m_changed.connect(
            forget_group_members, sender=User.groups.through, dispatch_uid="notifications.group_members.m2m"
        )
