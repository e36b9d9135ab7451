"""The broker's floor for benchmark 5: a task that does nothing but say it ran.

Loaded into the benchmark's Celery worker with ``-I benchmarks.tasks``. The one Redis INCR is how the
benchmark tells that all K have run (there is no result backend); it costs a loopback round trip,
less than a delivery's own database round trips.
"""

import os

from celery import shared_task

COUNTER = "bench:noop:done"
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
