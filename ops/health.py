"""Probes for load balancers and orchestrators.

/healthz: the process answers (liveness; never touches a service, so a database outage does not
get every web process restarted). /readyz: this process can serve requests: the database and Redis
answer, every migration is applied, and Celery beat has been seen recently.
"""

import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone

log = logging.getLogger(__name__)

BEAT_HEARTBEAT = "ops.beat"
_migrations_applied = False  # once true for a process, it stays true: nobody un-applies a migration


def _probe_response(payload, status):
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    # Each failing check is logged once as a warning; Django's own ERROR line for a 503 would repeat
    # on every probe of every load balancer and drown real errors.
    response._has_been_logged = True
    return response


def healthz(request):
    return _probe_response({"status": "ok"}, 200)


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def check_migrations():
    global _migrations_applied
    if not _migrations_applied:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return {"ok": False, "pending": len(plan)}
        _migrations_applied = True
    return {}


def check_redis():
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return {"skipped": "no REDIS_URL: tasks run in-process"}
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def check_beat():
    if not getattr(settings, "REDIS_URL", ""):
        return {"skipped": "no REDIS_URL: no beat in the embedded mode"}
    from .models import Heartbeat

    seen_at = Heartbeat.objects.filter(name=BEAT_HEARTBEAT).values_list("seen_at", flat=True).first()
    if seen_at is None:
        return {"ok": False, "age_seconds": None}
    age = (timezone.now() - seen_at).total_seconds()
    result = {"age_seconds": round(age)}
    if age > settings.OPS_BEAT_MAX_AGE:
        result["ok"] = False
    return result


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "redis": check_redis,
    "beat": check_beat,
}


def run_checks():
    """Run every check; return (all required ones passed, details per check)."""
    results = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            result = {"ok": True, **check()}
        except Exception as exc:  # a probe reports every failure, it never raises
            log.warning("readiness check %s failed: %s", name, exc, extra={"check": name})
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
        required = name != "beat" or settings.OPS_READYZ_REQUIRE_BEAT
        if required and not result["ok"]:
            healthy = False
    return healthy, results


def readyz(request):
    healthy, results = run_checks()
    return _probe_response({"status": "ok" if healthy else "unavailable", "checks": results}, 200 if healthy else 503)
