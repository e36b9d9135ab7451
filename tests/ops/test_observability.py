"""Structured logs with request id and ticket number; the status page and /metrics."""

import datetime as dt
import json
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from ops import context, signals
from ops.health import BEAT_HEARTBEAT
from ops.logging import ContextFilter, JsonFormatter
from ops.services import heartbeat_record
from tests.factories import UserFactory, open_ticket, ticket_in_state
from tickets.models import TicketState
from tickets.services import ticket_assign


def _format(record):
    ContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_one_json_object_with_context_and_extras():
    token = context.request_id.set("abc123def456")
    context.bind_ticket("HZ2026-0007")
    try:
        record = logging.getLogger("x").makeRecord("x", logging.INFO, "f.py", 1, "办结 %s", ("ok",), None,
                                                    extra={"duration_ms": 12.5})
        line = _format(record)
    finally:
        context.request_id.reset(token)
        context.bind_ticket("")
    assert line["message"] == "办结 ok" and line["level"] == "INFO" and line["logger"] == "x"
    assert line["request_id"] == "abc123def456" and line["ticket"] == "HZ2026-0007"
    assert line["duration_ms"] == 12.5
    assert line["time"].endswith("+00:00")


def test_an_exception_is_logged_with_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.getLogger("x").makeRecord("x", logging.ERROR, "f.py", 1, "failed", (), sys.exc_info())
    assert "ValueError: boom" in _format(record)["exception"]


@pytest.mark.django_db
def test_each_request_gets_an_id_in_its_response_and_its_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="ops.request")
    response = client.get(reverse("login"))
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    line = next(r for r in caplog.records if r.name == "ops.request")
    assert line.request_id == request_id and line.status == 200 and line.path == reverse("login")

    # The proxy's id is kept, so one id follows the request from nginx to the app.
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="nginx-0123456789")["X-Request-ID"] == "nginx-0123456789"
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


def test_a_ticket_event_logs_a_line_with_the_ticket_number(segment, office, chief, caplog):
    caplog.set_level(logging.INFO, logger="ops.events")
    ticket = open_ticket(reporter=office, segment=segment)
    ticket_assign(ticket=ticket, actor=office, chief=chief, due_at=timezone.localdate() + dt.timedelta(days=5))
    lines = [r for r in caplog.records if r.name == "ops.events"]
    assert [r.event for r in lines] == list(ticket.events.order_by("seq").values_list("kind", flat=True))
    assert len(lines) >= 2 and all(r.ticket == ticket.number for r in lines)
    assert context.ticket.get() == ticket.number  # later lines of the same request carry it too
    context.bind_ticket("")


def test_the_request_id_travels_with_a_celery_task():
    headers = {}
    token = context.request_id.set("req-0000000001")
    try:
        signals.on_before_task_publish(headers=headers)
    finally:
        context.request_id.reset(token)
    assert headers["request_id"] == "req-0000000001"

    class FakeTask:
        class request:  # noqa: N801 - mimics celery's Task.request
            request_id = "req-0000000001"
            id = "task-id"

    signals.on_task_prerun(task=FakeTask)
    assert context.request_id.get() == "req-0000000001"
    context.request_id.set("-")


@pytest.fixture
def some_tickets(segment, office, chief):
    ticket_in_state(TicketState.REPORTED, office=office, chief=chief, segment=segment)
    late = ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    late.__class__.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    ticket_in_state(TicketState.CLOSED, office=office, chief=chief, segment=segment)
    heartbeat_record(name=BEAT_HEARTBEAT)
    heartbeat_record(name="deadlines: sweep")


def test_metrics_need_the_token_or_a_staff_session(client, settings, some_tickets, chief):
    settings.OPS_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    client.force_login(chief)
    assert client.get("/metrics").status_code == 403
    client.logout()

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    body = response.content.decode()
    assert "hezhang_tickets_open 2\n" in body
    assert "hezhang_tickets_overdue 1\n" in body
    assert 'hezhang_tickets{state="closed"} 1\n' in body
    assert 'hezhang_last_run_timestamp_seconds{task="beat"}' in body
    assert 'hezhang_last_run_timestamp_seconds{task="deadlines: sweep"}' in body
    assert 'hezhang_check_ok{check="database"} 1' in body
    assert 'hezhang_outbox_deliveries{status="pending"}' in body or "notifications" not in settings.INSTALLED_APPS

    client.force_login(UserFactory(username="ops_staff", is_staff=True))
    assert client.get("/metrics").status_code == 200


def test_the_status_page_is_for_staff_and_shows_the_counts(client, some_tickets, chief):
    url = reverse("ops:status")
    client.force_login(chief)
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(UserFactory(username="ops_staff", is_staff=True))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td id="tickets-open">2</td>' in html
    assert '<td id="tickets-overdue">1</td>' in html
    assert "deadlines: sweep" in html


def test_csp_reports_are_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="ops.csp")
    report = {"csp-report": {"violated-directive": "script-src", "blocked-uri": "inline"}}
    response = client.post("/csp-report/", json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    assert caplog.records[-1].csp_report["violated-directive"] == "script-src"


@pytest.mark.django_db
def test_a_task_that_beat_scheduled_records_when_it_last_ran():
    from ops.models import Heartbeat

    class Sweep:
        name = "deadlines.sweep"

        class request:  # noqa: N801 - mimics celery's Task.request; beat adds this header
            periodic_task_name = "deadlines.sweep"

    class Delivery:
        name = "notifications.tasks.deliver"

        class request:  # noqa: N801 - sent by the app, not by beat
            pass

    signals.on_task_success(sender=Sweep)
    signals.on_task_success(sender=Delivery)
    assert list(Heartbeat.objects.values_list("name", flat=True)) == ["deadlines.sweep"]
