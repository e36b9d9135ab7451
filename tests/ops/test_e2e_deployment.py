"""The deployment, end to end: gunicorn (2 workers), a Celery worker and Celery beat in production mode
against a fresh PostgreSQL database and a Redis of the test's own; a ticket's whole life over HTTP
through the web forms; its notifications delivered; /readyz following Redis down and back."""

import json
import os
import re
import secrets
import signal
import subprocess
import time
import uuid

import psycopg
import pytest
import requests
from django.db import connection
from django.utils import timezone

from tests.factories import PNG

from .conftest import PYTHON, ROOT, free_port, manage, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory's
SETUP = """
from tests.factories import AppointmentFactory, SegmentFactory, UserFactory
segment = SegmentFactory()
AppointmentFactory(segment=segment, chief__username="e2e_chief", chief__email="chief@example.org")
AppointmentFactory(chief__username="e2e_other_chief")
UserFactory(username="e2e_office", roles=["office"], email="office@example.org")
UserFactory(username="e2e_supervisor", roles=["social_supervisor"], email="supervisor@example.org")
print("segment", segment.pk)
"""


def _url(dbname):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{dbname}"


class Browser:
    def __init__(self, base):
        self.base = base
        self.http = requests.Session()
        self.secure_cookies = set()
        origin = base.replace("http://", "https://")
        # What the TLS-terminating proxy adds (deploy/nginx.conf.example); CSRF checks the Origin.
        self.http.headers.update({"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"})

    def _loopback(self, response):
        """The proxy in front ends TLS; the test talks to gunicorn directly over the loopback, as that
        proxy does, so the Secure cookies the app sets must go back over plain HTTP here."""
        for cookie in self.http.cookies:
            if cookie.secure:
                self.secure_cookies.add(cookie.name)
                cookie.secure = False
        return response

    def get(self, path, **kw):
        return self._loopback(self.http.get(self.base + path, allow_redirects=False, timeout=30, **kw))

    def post(self, path, data=None, files=None, csrf_from=None):
        page = self.get(csrf_from or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self._loopback(self.http.post(self.base + path, data={"csrfmiddlewaretoken": token, **(data or {})},
                                             files=files, allow_redirects=False, timeout=60))

    def login(self, username):
        response = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text[-800:]
        assert {"csrftoken", "sessionid"} <= self.secure_cookies  # the app marks both Secure
        return self


@pytest.fixture
def e2e_database():
    name = f"{connection.settings_dict['NAME']}_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def deployment(tmp_path, e2e_database, redis_server):
    port = free_port()
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=e2e_database,
        REDIS_URL=redis_server.url,
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        METRICS_TOKEN=secrets.token_hex(16),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        SITE_URL=f"https://127.0.0.1:{port}",
    )
    for step in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        result = manage(*step, env=env, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
    setup = manage("shell", "-c", SETUP, env=env)
    assert setup.returncode == 0, setup.stderr[-3000:]
    segment = int(re.search(r"segment (\d+)", setup.stdout).group(1))

    logs = {}
    procs = {}
    commands = {
        "web": [PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
        "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--concurrency=2", "--loglevel=INFO",
                   f"--hostname=e2e-{port}@%h"],
        "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO", "--pidfile="],
    }
    for name, command in commands.items():
        logs[name] = open(tmp_path / f"{name}.log", "w+")  # noqa: SIM115 - closed in the finally below
        procs[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT,
                                       start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: requests.get(base + "/healthz", timeout=2).status_code == 200, 60, "gunicorn up", logs)
        yield {"base": base, "env": env, "segment": segment, "mail": tmp_path / "mail", "logs": logs,
               "procs": procs, "redis": redis_server, "dsn": e2e_database}
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for log in logs.values():
            log.close()


def _wait(condition, seconds, what, logs=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.5)
    tails = ""
    for name, log in (logs or {}).items():
        log.flush()
        log.seek(0)
        tails += f"\n--- {name} ---\n" + log.read()[-3000:]
    pytest.fail(f"timed out waiting for {what}{tails}")


def _query(dsn, sql, *params):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_tickets_whole_life_on_a_production_deployment(deployment):
    base, dsn = deployment["base"], deployment["dsn"]

    # Ready: database, migrations, Redis, and beat's first heartbeat (sent through the worker).
    _wait(lambda: requests.get(base + "/readyz", timeout=5).status_code == 200, 90, "/readyz 200", deployment["logs"])
    ready = requests.get(base + "/readyz", timeout=5).json()
    assert all(check["ok"] for check in ready["checks"].values()), ready

    # Static files come from the app (whitenoise), hashed and long-cached.
    login_page = Browser(base).get("/accounts/login/")
    assert login_page.status_code == 200
    assert "script-src 'self'" in login_page.headers["Content-Security-Policy"]
    assert login_page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    css = re.search(r'href="(/static/viewflow/css/viewflow\.min\.[0-9a-f]{12}\.css)"', login_page.text).group(1)
    static = requests.get(base + css, timeout=10, headers={"X-Forwarded-Proto": "https"})
    assert static.status_code == 200 and "max-age=315360000" in static.headers["Cache-Control"]
    # Plain HTTP (no proxy header) is redirected to HTTPS.
    assert requests.get(base + "/accounts/login/", allow_redirects=False, timeout=5).status_code == 301

    supervisor = Browser(base).login("e2e_supervisor")
    opened = supervisor.post(
        "/tickets/new/",
        {"segment": deployment["segment"], "source": "supervisor_feedback", "category": "garbage",
         "severity": "minor", "description": "桥下垃圾堆积(端到端测试)"},
        files={"before_photos": ("before.png", PNG, "image/png")},
    )
    assert opened.status_code == 302, opened.text[:2000]
    number = opened.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    ticket_id, chief_id = _query(
        dsn, "select t.id, u.id from tickets_ticket t, auth_user u where t.number = %s and u.username = %s",
        number, "e2e_chief",
    )[0]

    office = Browser(base).login("e2e_office")
    due = (timezone.localdate() + timezone.timedelta(days=7)).isoformat()
    assert office.post(f"/tickets/{number}/assign/", {"chief": chief_id, "due_at": due,
                                                      "instructions": "三日内清理"}).status_code == 302
    chief = Browser(base).login("e2e_chief")
    assert chief.post(f"/tickets/{number}/start/").status_code == 302
    submitted = chief.post(f"/tickets/{number}/submit/", {"measures": "已清理完毕"},
                           files={"after_photos": ("after.png", PNG, "image/png")})
    assert submitted.status_code == 302, submitted.text[:2000]
    assert office.post(f"/tickets/{number}/verify/", {"comment": "现场核查通过"}).status_code == 302
    assert office.post(f"/tickets/{number}/close/", {"comment": "销号"}).status_code == 302
    assert _query(dsn, "select state from tickets_ticket where id = %s", ticket_id) == [("closed",)]

    # The ticket page and its photos: for the chief, and for nobody outside the ticket's scope.
    assert chief.get(f"/tickets/{number}/").status_code == 200
    photo_id = _query(dsn, "select min(id) from tickets_attachment where ticket_id = %s", ticket_id)[0][0]
    photo = chief.get(f"/attachments/{photo_id}/")
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/png" and photo.content == PNG
    assert Browser(base).login("e2e_other_chief").get(f"/attachments/{photo_id}/").status_code in (403, 404)

    # Notifications: in-app rows at once, and every outbox row sent by the Celery worker.
    def delivered():
        rows = _query(dsn, "select status, count(*) from notifications_delivery group by status")
        return rows and all(status == "sent" for status, _ in rows)

    _wait(delivered, 90, "every delivery sent", deployment["logs"])
    assert _query(dsn, "select count(*) from notifications_notification where ticket_id = %s and recipient_id = %s",
                  ticket_id, chief_id)[0][0] >= 1
    assert any(deployment["mail"].iterdir())  # the e-mails, written by the worker's file backend

    # The operator's numbers.
    metrics = requests.get(base + "/metrics", timeout=10,
                           headers={"Authorization": f"Bearer {deployment['env']['METRICS_TOKEN']}",
                                    "X-Forwarded-Proto": "https"})
    assert metrics.status_code == 200
    assert 'hezhang_tickets{state="closed"} 1' in metrics.text
    assert 'hezhang_outbox_deliveries{status="failed"} 0' in metrics.text

    # Structured logs: JSON lines; the web lines about this ticket carry its number and a request id.
    web_log = deployment["logs"]["web"]
    web_log.flush()
    web_log.seek(0)
    lines = [json.loads(line) for line in web_log.read().splitlines() if line.startswith("{")]
    about_ticket = [line for line in lines if line.get("ticket") == number]
    assert about_ticket and all(len(line.get("request_id", "")) == 32 for line in about_ticket)
    kinds = {kind for (kind,) in _query(dsn, "select kind from tickets_ticketevent where ticket_id = %s", ticket_id)}
    assert kinds == {line["event"] for line in about_ticket if "event" in line}

    # Redis down: not ready (the load balancer takes this machine out); back: ready again.
    deployment["redis"].stop()
    _wait(lambda: requests.get(base + "/readyz", timeout=5).status_code == 503, 30, "/readyz 503")
    assert requests.get(base + "/readyz", timeout=5).json()["checks"]["redis"]["ok"] is False
    assert requests.get(base + "/healthz", timeout=5).status_code == 200  # alive all the same
    deployment["redis"].start()
    _wait(lambda: requests.get(base + "/readyz", timeout=5).status_code == 200, 60, "/readyz 200 again",
          deployment["logs"])
