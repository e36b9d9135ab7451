"""Once, for real: Celery beat and a worker on Redis and PostgreSQL escalate a ticket whose deadline passes."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from deadlines.defaults import SWEEP_TASK
from tickets.models import TicketEvent

from .conftest import assign

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(args, env, log):
    return subprocess.Popen(
        [CELERY, "-A", "config", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_escalate_a_ticket_whose_deadline_passes(office, chief, segment, tmp_path):
    # Every second instead of every minute, for the test; the task is the production one.
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name=SWEEP_TASK, defaults={"task": SWEEP_TASK, "interval": every_second, "enabled": True}
    )
    ticket = assign(office=office, chief=chief, segment=segment, due_at=timezone.now() + dt.timedelta(seconds=4))

    env = os.environ | {"DATABASE_URL": _database_url(), "DB_CONN_MAX_AGE": "0"}
    log_path = tmp_path / "celery.log"
    with open(log_path, "w") as log:
        worker = _start(["worker", "--pool", "solo", "--loglevel", "INFO", "--without-mingle", "--without-gossip"],
                        env, log)
        beat = _start(["beat", "--loglevel", "INFO", "--max-interval", "1",
                       "--schedule", str(tmp_path / "beat-schedule")], env, log)
        try:
            deadline = time.monotonic() + 60
            event = None
            while event is None and time.monotonic() < deadline:
                assert worker.poll() is None and beat.poll() is None, log_path.read_text()[-3000:]
                event = TicketEvent.objects.filter(ticket=ticket, kind="escalated").first()
                time.sleep(0.5)
        finally:
            for process in (beat, worker):
                process.terminate()
            for process in (beat, worker):
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
    assert event is not None, log_path.read_text()[-3000:]
    assert event.payload["level"] == 1
    assert event.payload["audience"][0] == chief.pk
    assert TicketEvent.objects.filter(ticket=ticket, kind="escalated").count() == 1
