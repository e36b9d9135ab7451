"""Benchmark 5: deliveries per second through a real Celery worker on Redis, beside the broker's floor.

One worker (``celery -A config worker``, the product's Celery app and settings: acks late, prefetch 1;
2 prefork processes on this 2-core machine) reads Redis DB 10 and the benchmark database. Rounds
alternate: K no-op tasks (``benchmarks.tasks.noop``), then K email deliveries: pending outbox rows
(written beforehand with bulk_create) each handed over as ``notifications.tasks.deliver`` - the task the
outbox publishes after commit - and sent through Django's locmem mail backend. Timed from the first
publish to the last task counted (each no-op, and each deliver task as it ends, INCRs a Redis counter);
every delivery row is then checked to be ``sent``.
"""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection
from django.utils import timezone

from .tasks import COUNTER, DELIVERED
from .tiers import dsn

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")


def start_worker():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.settings", REDIS_URL=REDIS_URL,
               DATABASE_URL=dsn(connection.settings_dict["NAME"]), PYTHONPATH=str(ROOT))
    log = open(ROOT / "var" / "bench-celery.log", "w")  # noqa: SIM115 (closed by stop_worker)
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "-l", "WARNING", "-c", "2",
         "-P", "prefork", "-I", "benchmarks.tasks", "-n", f"bench-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    return proc, log


def stop_worker(proc, log):
    if proc.poll() is None:
        proc.terminate()  # warm shutdown
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()


def _wait(done, k, proc, timeout):
    deadline = time.monotonic() + timeout
    while done() < k:
        if proc.poll() is not None:
            raise RuntimeError("the Celery worker exited; see var/bench-celery.log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done()} of {k} done after {timeout} s; see var/bench-celery.log")
        time.sleep(0.02)


def noop_round(app, redis, k, proc):
    redis.set(COUNTER, 0)
    start = time.perf_counter()
    for _ in range(k):
        app.send_task("benchmarks.noop")
    _wait(lambda: int(redis.get(COUNTER) or 0), k, proc, timeout=600)
    return k / (time.perf_counter() - start)


def pending_deliveries(k):
    from notifications.models import Delivery, DeliveryChannel, DeliveryStatus

    now = timezone.now()
    rows = [
        Delivery(channel=DeliveryChannel.EMAIL, address=f"chief{i}@bench.invalid", subject="逾期督办:基准测试",
                 body="基准测试工单已逾期,请尽快整改。" * 4, link="http://127.0.0.1/tickets/BENCH/",
                 status=DeliveryStatus.PENDING,
                 # Far enough ahead that no outbox sweep would take them: only their own task sends them.
                 next_attempt_at=now + dt.timedelta(days=1), created_at=now, updated_at=now)
        for i in range(k)
    ]
    return [d.pk for d in Delivery.objects.bulk_create(rows, batch_size=1000)]


def delivery_round(app, redis, k, proc):
    from notifications.models import Delivery, DeliveryStatus

    ids = pending_deliveries(k)
    redis.set(DELIVERED, 0)
    start = time.perf_counter()
    for delivery_id in ids:
        app.send_task("notifications.tasks.deliver", args=(delivery_id,))
    _wait(lambda: int(redis.get(DELIVERED) or 0), k, proc, timeout=1200)
    rate = k / (time.perf_counter() - start)
    failed = Delivery.objects.filter(pk__in=ids).exclude(status=DeliveryStatus.SENT).count()
    if failed:
        raise RuntimeError(f"{failed} deliveries not sent")
    return rate


def run(report, *, k, repeat):
    import redis as redis_lib
    from celery import Celery

    redis = redis_lib.Redis.from_url(REDIS_URL)
    redis.flushdb()  # DB 10 is the benchmark's own: no messages left from an interrupted run
    app = Celery("bench-producer", broker=REDIS_URL)
    app.conf.broker_connection_retry_on_startup = True
    proc, log = start_worker()
    floor, ours = [], []
    try:
        noop_round(app, redis, 1, proc)  # the worker is up and consuming
        noop_round(app, redis, min(k, 200), proc)  # warm-up
        delivery_round(app, redis, min(k, 200), proc)
        for _ in range(repeat):
            floor.append(noop_round(app, redis, k, proc))
            ours.append(delivery_round(app, redis, k, proc))
            print(f"  no-op {floor[-1]:.0f}/s, deliveries {ours[-1]:.0f}/s", flush=True)
    finally:
        stop_worker(proc, log)
        app.close()
    f_floor = report.figure("celery no-op tasks (broker floor)", "tasks/s", floor, note=f"K={k}, 2 worker processes")
    f_ours = report.figure("notification deliveries (email, locmem)", "deliveries/s", ours, note=f"K={k}")
    value = f_ours.median / f_floor.median
    report.ratio("deliveries / no-op floor", value, ">= 0.5", value >= 0.5)
