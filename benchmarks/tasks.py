"""The broker's floor for benchmark 5: a task that does nothing but say it ran.

Loaded into the benchmark's Celery worker with ``-I benchmarks.tasks``. The one Redis INCR is how the
benchmark tells that all K have run (there is no result backend); it costs a loopback round trip,
less than a delivery's own database round trips. Each finished delivery task is counted the same way.
"""

import os

from celery import shared_task
from celery.signals import task_postrun

COUNTER = "bench:noop:done"
# Deliveries are counted the same way, as each deliver task ends, so both sides of the ratio pay one
# INCR and the parent waits on Redis for both (polling the outbox table cost the deliveries' side a
# COUNT of up to K rows every 20 ms on the same two cores).
DELIVERED = "bench:deliver:done"
_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _client


@shared_task(name="benchmarks.noop", ignore_result=True)
def noop():
    _redis().incr(COUNTER)


@task_postrun.connect
def _count_delivery(sender=None, **kwargs):
    if getattr(sender, "name", "") == "notifications.tasks.deliver":
        _redis().incr(DELIVERED)
