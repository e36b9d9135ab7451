from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("整改期限与督办")

    def ready(self):
        # The clock follows the audit trail: connect the receiver, register the office's warning.
        from django.db.models.signals import post_delete, post_save

        from . import checks, receivers  # noqa: F401
        from .calendar import forget_calendar
        from .models import CalendarDay, CalendarYear, EscalationStep, ReminderStep
        from .schedule import forget_ladder

        # The ladder and the calendar are cached per process (schedule.LADDER, calendar.CALENDAR):
        # an edit here applies at once.
        for model, forget in (
            (ReminderStep, forget_ladder),
            (EscalationStep, forget_ladder),
            (CalendarDay, forget_calendar),
            (CalendarYear, forget_calendar),
        ):
            name = f"deadlines.{model._meta.model_name}"
            post_save.connect(forget, sender=model, dispatch_uid=f"{name}.save")
            post_delete.connect(forget, sender=model, dispatch_uid=f"{name}.delete")
