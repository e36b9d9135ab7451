"""/healthz and /readyz, as a load balancer sees them."""

import datetime as dt

import pytest
from django.utils import timezone

from ops import health
from ops.health import BEAT_HEARTBEAT
from ops.services import heartbeat_record

from .conftest import free_port


def test_healthz_answers_a_probe_by_ip_address_without_touching_services(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there: healthz does not care
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_in_the_embedded_mode_needs_only_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert "skipped" in body["checks"]["redis"] and "skipped" in body["checks"]["beat"]


@pytest.mark.django_db
def test_readyz_fails_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    heartbeat_record(name=BEAT_HEARTBEAT)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert response.json()["checks"]["redis"]["error"] == "ConnectionError"


@pytest.mark.django_db
def test_readyz_fails_when_beat_has_not_been_seen_recently(client, settings, redis_server):
    settings.REDIS_URL = redis_server.url
    never_seen = client.get("/readyz")
    assert never_seen.status_code == 503
    assert never_seen.json()["checks"]["beat"]["ok"] is False
    assert never_seen.json()["checks"]["beat"]["age_seconds"] is None
    heartbeat_record(name=BEAT_HEARTBEAT, at=timezone.now() - dt.timedelta(seconds=settings.OPS_BEAT_MAX_AGE + 5))
    assert client.get("/readyz").status_code == 503
    heartbeat_record(name=BEAT_HEARTBEAT)
    assert client.get("/readyz").status_code == 200
    # An operator may choose to keep web processes in rotation while beat is down.
    heartbeat_record(name=BEAT_HEARTBEAT, at=timezone.now() - dt.timedelta(hours=1))
    settings.OPS_READYZ_REQUIRE_BEAT = False
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_fails_while_a_migration_is_not_applied(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", lambda self, targets: [("pending", False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["pending"] == 1


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_turns_unhealthy_when_redis_stops_and_healthy_when_it_is_back(client, settings, redis_server):
    settings.REDIS_URL = redis_server.url
    heartbeat_record(name=BEAT_HEARTBEAT)
    assert client.get("/readyz").status_code == 200

    redis_server.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False

    redis_server.start()
    assert client.get("/readyz").status_code == 200
