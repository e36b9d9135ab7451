from django.core.management.base import BaseCommand, CommandError

from tickets.audit_check import verify_chains
from tickets.models import Ticket, TicketEvent


class Command(BaseCommand):
    help = "Check every ticket's audit hash chain; print the first broken link and exit non-zero if any."

    def handle(self, *args, **options):
        first = next(verify_chains(), None)
        if first is not None:
            number = Ticket.objects.filter(pk=first.ticket_id).values_list("number", flat=True).first()
            raise CommandError(
                f"broken audit chain: ticket {number} (id {first.ticket_id}), event #{first.seq} "
                f"(id {first.event_id}): {first.reason}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit trail intact: {TicketEvent.objects.count()} events, "
                f"{Ticket.objects.count()} tickets"
            )
        )
