"""On a real Celery worker, real Redis and PostgreSQL: delivered end to end, exactly once, across a Redis outage.

The worker is a subprocess on the pytest-django test database and a queue of its own. The outage
test runs its own throwaway redis-server (the machine's shared Redis is never stopped).
"""

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from notifications import outbox, tasks
from notifications.models import AreaWebhook, Delivery, DeliveryStatus, WebhookKind
from tests.factories import AppointmentFactory, UserFactory, open_ticket
from tests.notifications.conftest import ensure_default_rules
from tickets import services

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(django_settings.BASE_DIR)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _database_url():
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _use_broker(url):
    """Point this process's Celery app at another broker (its pools are built lazily from the URL)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Worker:
    def __init__(self, *, broker, queue, mail_dir, log):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker,
            "NOTIFICATIONS_QUEUE": queue,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "DB_CONN_MAX_AGE": "0",
        }
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h", "-l", "info"],
            cwd=BASE_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        _wait(lambda: "ready." in log.read_text(errors="ignore") or self.process.poll() is not None, 60,
              "the worker to start")
        assert self.process.poll() is None, log.read_text(errors="ignore")[-3000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class RedisServer:
    def __init__(self, port, log):
        self.port, self.log, self.process = port, log, None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )
        _wait(self._answers, 10, "redis-server to start")

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()  # an outage, not a shutdown: nothing is saved, queued messages are gone
            self.process.wait(5)


@pytest.fixture
def queue(settings):
    name = f"notifications-test-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATIONS_QUEUE = name
    return name


@pytest.fixture
def workers(tmp_path, queue):
    started = []

    def start(broker):
        worker = Worker(broker=broker, queue=queue, mail_dir=tmp_path / "mail", log=tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def people(db, webhook_server, make_endpoint):
    """Default rules (a flush by an earlier transactional test may have removed them), people and a group robot."""
    ensure_default_rules()
    office = UserFactory(username="office", roles=["office"], email="office@example.cn")
    supervisor = UserFactory(username="supervisor", roles=["social_supervisor"])
    appointment = AppointmentFactory(chief__username="chief", chief__email="chief@example.cn")
    AreaWebhook.objects.create(area=appointment.segment.area, endpoint=make_endpoint(WebhookKind.GENERIC))
    return {"office": office, "supervisor": supervisor, "chief": appointment.chief, "segment": appointment.segment}


def act(people, count):
    """Open, assign and start ``count`` tickets through the services (each action commits)."""
    durations = []
    for _ in range(count):
        started = time.monotonic()
        ticket = open_ticket(reporter=people["supervisor"], segment=people["segment"])
        ticket = services.ticket_assign(ticket=ticket, actor=people["office"], chief=people["chief"],
                                        due_at=timezone.localdate() + dt.timedelta(days=5))
        services.ticket_start(ticket=ticket, actor=people["chief"])
        durations.append(time.monotonic() - started)
    return durations


def mails(tmp_path):
    folder = tmp_path / "mail"
    return [p.read_text() for p in folder.glob("*.log")] if folder.exists() else []


def assert_each_delivered_once(webhook_server, tmp_path):
    rows = list(Delivery.objects.values_list("pk", "channel", "status"))
    assert rows and {status for _pk, _channel, status in rows} == {DeliveryStatus.SENT}
    hooks = [int(r["headers"]["X-Hezhang-Delivery"]) for r in webhook_server.requests]
    assert all(r["signature_ok"] for r in webhook_server.requests)
    assert sorted(hooks) == sorted(pk for pk, channel, _ in rows if channel == "webhook")
    mail_ids = sorted(int(line.split(":")[1]) for text in mails(tmp_path) for line in text.splitlines()
                      if line.startswith("X-Hezhang-Delivery:"))
    assert mail_ids == sorted(pk for pk, channel, _ in rows if channel == "email")


def _idle(queue):
    """Nothing waits in the worker's queue and the worker answers a ping (solo: only between tasks)."""
    try:
        with celery_app.connection_for_write() as conn:
            waiting = conn.default_channel.client.llen(queue)
        replies = celery_app.control.ping(timeout=1.0)
    except Exception:
        return False
    return waiting == 0 and any(name.startswith(queue + "@") for reply in replies for name in reply)


def all_sent():
    return not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()


def test_delivered_end_to_end_by_a_real_worker(people, workers, webhook_server, tmp_path):
    workers(django_settings.CELERY_BROKER_URL)
    act(people, 2)
    # Per ticket: created → office (email); assigned → chief (email) + the area robot.
    assert Delivery.objects.count() == 6
    _wait(all_sent, 60, "the worker to deliver everything")
    assert_each_delivered_once(webhook_server, tmp_path)


def test_a_redis_outage_loses_nothing_and_doubles_nothing(people, workers, webhook_server, tmp_path, queue):
    redis = RedisServer(_free_port(), tmp_path / "redis.log")
    broker = f"redis://127.0.0.1:{redis.port}/0"
    redis.start()
    saved_broker = celery_app.conf.broker_url
    _use_broker(broker)
    try:
        workers(broker)
        act(people, 1)
        _wait(all_sent, 60, "delivery before the outage")

        redis.stop()
        durations = act(people, 3)  # the ticket side goes on
        pending = Delivery.objects.filter(status=DeliveryStatus.PENDING)
        assert pending.count() == 9
        assert not pending.filter(next_attempt_at__gt=timezone.now()).exists()  # due for the first sweep
        # Three actions each; a refused broker costs a fraction of a second, never an error.
        print("open+assign+start with Redis down, seconds:", [round(d, 2) for d in durations])
        assert max(durations) < 5, durations

        redis.start()  # empty: whatever was queued before the outage is gone too
        _wait(lambda: _idle(queue), 90, "the worker to reconnect")
        tasks.sweep.apply_async(queue=queue)  # what beat does every minute
        _wait(all_sent, 60, "the sweep to deliver the backlog")
        # A second sweep and a duplicate task for every row: nothing is sent twice.
        tasks.sweep.apply_async(queue=queue)
        for pk in Delivery.objects.values_list("pk", flat=True):
            tasks.deliver.apply_async((pk,), queue=queue)
        _wait(lambda: _idle(queue), 30, "the worker to drain its queue")
        assert_each_delivered_once(webhook_server, tmp_path)
        assert Delivery.objects.filter(attempts=1).count() == 12
    finally:
        _use_broker(saved_broker)
        redis.stop()


def test_a_worker_killed_after_sending_and_before_marking(people, workers, webhook_server, tmp_path, queue):
    webhook_server.answers = [(200, {"ok": True})]
    worker = workers(django_settings.CELERY_BROKER_URL)

    def kill_worker(record):
        # The robot has the message; the worker dies before it can record that.
        os.kill(worker.process.pid, signal.SIGKILL)

    webhook_server.on_request = kill_worker
    open_ticket(reporter=people["supervisor"], segment=people["segment"])  # office email only
    _wait(all_sent, 60, "the first delivery")
    ticket = open_ticket(reporter=people["supervisor"], segment=people["segment"])
    services.ticket_assign(ticket=ticket, actor=people["office"], chief=people["chief"],
                           due_at=timezone.localdate() + dt.timedelta(days=5))
    robot = Delivery.objects.get(channel="webhook")
    _wait(lambda: worker.process.poll() is not None, 60, "the worker to be killed mid-send")
    robot.refresh_from_db()
    assert robot.status == DeliveryStatus.SENDING

    webhook_server.on_request = None
    workers(django_settings.CELERY_BROKER_URL)
    # The redelivered message (acks_late) or a sweep's: the claim refuses the row.
    tasks.deliver.apply_async((robot.pk,), queue=queue)
    _wait(lambda: not Delivery.objects.filter(channel="email").exclude(status=DeliveryStatus.SENT).exists(), 60,
          "the other deliveries")
    _wait(lambda: _idle(queue), 30, "the worker to drain its queue")
    robot.refresh_from_db()
    assert robot.status == DeliveryStatus.SENDING
    assert len(webhook_server.requests) == 1

    later = timezone.now() + dt.timedelta(minutes=11)
    assert outbox.mark_stalled(later) == 1
    robot.refresh_from_db()
    assert robot.status == DeliveryStatus.UNKNOWN
    assert len(webhook_server.requests) == 1
