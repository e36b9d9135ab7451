"""The one receiver: the audit trail drives the clock, so tickets/ never imports deadlines/."""

from django.dispatch import receiver

from tickets.signals import event_recorded

from .clocks import clock_on_event


@receiver(event_recorded, dispatch_uid="deadlines.clock_on_event")
def _clock_follows_event(sender, event, **kwargs):
    clock_on_event(event)
