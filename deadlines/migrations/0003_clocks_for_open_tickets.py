"""Clocks for tickets assigned before this app existed.

Each gets its deadline as generation 1 and is due now, so the first sweep works out its ladder:
reminders whose moment has passed are skipped, an overdue ticket escalates.
"""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketClock = apps.get_model("deadlines", "TicketClock")
    now = timezone.now()
    running = ["assigned", "rectifying"]
    tickets = Ticket.objects.filter(due_at__isnull=False, state__in=["assigned", "rectifying", "submitted", "verified"])
    TicketClock.objects.bulk_create(
        [
            TicketClock(
                ticket_id=t.pk, due_at=t.due_at, generation=1, deadline_set_at=now, base_due_at=t.due_at,
                base_set_at=now, running=t.state in running, reminders_from=now,
                next_fire_at=now if t.state in running else None,
            )
            for t in tickets.exclude(pk__in=TicketClock.objects.values("ticket_id")).only("pk", "due_at", "state")
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0002_defaults"), ("tickets", "0004_deadline_rule")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
