from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from deadlines.models import AlertKind
from deadlines.sweep import preview, run_sweep


class Command(BaseCommand):
    help = "Fire the reminders and escalation levels that are due now, once (what beat does every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show what would fire; write nothing")
        parser.add_argument(
            "--at", help="with --dry-run: pretend it is this moment (ISO, e.g. 2027-01-04T09:00), to look ahead"
        )

    def handle(self, *args, dry_run=False, at=None, **options):
        if at and not dry_run:
            raise CommandError("--at only goes with --dry-run: a real sweep fires what is due now.")
        if not dry_run:
            result = run_sweep()
            for number, kind, step in result.fired:
                self.stdout.write(f"fired {number} {kind} {step}")
            self.stdout.write(f"{len(result.fired)} fired, {len(result.failed)} failed")
            return
        now = timezone.now()
        if at:
            now = parse_datetime(at)
            if now is None:
                raise CommandError(f"not a date-time: {at}")
            now = now if timezone.is_aware(now) else timezone.make_aware(now)
        due = preview(now=now)
        for ticket, step, audience in due:
            what = f"reminder {step.step} working day(s) before" if step.kind == AlertKind.REMINDER else f"escalation level {step.step}"
            self.stdout.write(
                f"would fire {ticket.number} {what} (due {timezone.localtime(ticket.due_at):%Y-%m-%d %H:%M}, "
                f"moment {timezone.localtime(step.at):%Y-%m-%d %H:%M}) to users {audience}"
            )
        self.stdout.write(f"dry run at {timezone.localtime(now):%Y-%m-%d %H:%M}: {len(due)} would fire, nothing written")
