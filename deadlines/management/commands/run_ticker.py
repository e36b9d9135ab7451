import logging
import os
import time

from django.core.management.base import BaseCommand

from deadlines.sweep import run_sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the deadline sweep every INTERVAL seconds, in this process. For the embedded default "
        "(no REDIS_URL, no beat): bin/run starts it beside runserver."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument(
            "--exit-with-parent", action="store_true",
            help="stop when the process that started this one ends (bin/run execs runserver after starting it)",
        )

    def handle(self, *args, interval=60.0, exit_with_parent=False, **options):
        parent = os.getppid()
        self.stdout.write(f"deadline ticker: sweeping every {interval:g}s")
        next_run = time.monotonic()
        while not (exit_with_parent and os.getppid() != parent):
            if time.monotonic() >= next_run:
                try:
                    run_sweep()
                except Exception:
                    # The database may be busy or migrating; the next tick tries again.
                    logger.exception("deadline sweep failed")
                next_run = time.monotonic() + interval
            time.sleep(min(1.0, interval))
