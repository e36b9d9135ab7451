"""Sending: claim, retry with backoff, at most once, the sweep, the office's resend."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import outbox, tasks
from notifications.models import AreaWebhook, Delivery, DeliveryStatus, WebhookKind
from tests.factories import ticket_in_state
from tests.notifications.conftest import ensure_default_rules
from tests.racing import race
from tickets import services
from tickets.models import TicketState


class Clock:
    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **kwargs):
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def chief(chief):
    chief.email = "chief@example.cn"
    chief.save(update_fields=["email"])
    return chief


@pytest.fixture
def assigned(office, chief, segment):
    # Deliveries are written but, outside captureOnCommitCallbacks, never published: we send by hand.
    return ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)


def email_delivery(ticket):
    return Delivery.objects.get(event__ticket=ticket, event__kind="assigned", channel="email")


def test_a_task_run_twice_sends_once(assigned):
    delivery = email_delivery(assigned)
    assert tasks.deliver.apply(args=(delivery.pk,)).get() == "sent"
    assert tasks.deliver.apply(args=(delivery.pk,)).get() == "skipped"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert len(mail.outbox) == 1


def test_a_worker_killed_after_sending_and_before_marking_never_sends_again(assigned, monkeypatch, clock):
    delivery = email_delivery(assigned)

    def killed(delivery_id):
        raise SystemExit("worker killed")  # not an Exception: nothing in deliver() may swallow it

    real_mark_sent = outbox.mark_sent
    monkeypatch.setattr(outbox, "mark_sent", killed)
    with pytest.raises(SystemExit):
        outbox.deliver(delivery.pk)
    monkeypatch.setattr(outbox, "mark_sent", real_mark_sent)
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING

    # The message comes back (acks_late redelivery, or the sweep): the claim refuses it.
    assert outbox.deliver(delivery.pk) == "skipped"
    clock.advance(minutes=5)
    assert outbox.sweep() == {"stalled": 0, "handed": 0}
    # Past the timeout the row is known to be stuck: "unknown" for the office, never resent.
    clock.advance(minutes=6)
    assert outbox.sweep() == {"stalled": 1, "handed": 0}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNKNOWN
    assert "可能已发出" in delivery.last_error
    clock.advance(hours=2)
    assert outbox.sweep() == {"stalled": 0, "handed": 0}
    assert outbox.deliver(delivery.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_failures_are_retried_with_backoff_then_marked_failed(
    assigned, segment, make_endpoint, webhook_server, clock, settings
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    webhook_server.answers = [(502, {"error": "bad gateway"})]
    AreaWebhook.objects.create(area=segment.area, endpoint=make_endpoint(WebhookKind.GENERIC))
    services.ticket_change_deadline(
        ticket=assigned, actor=assigned.reporter, due_at=timezone.localdate() + dt.timedelta(days=20), reason="汛期"
    )
    delivery = Delivery.objects.get(event__kind="deadline_changed", channel="webhook")
    Delivery.objects.exclude(pk=delivery.pk).delete()  # only the robot's row is under test

    assert outbox.deliver(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.next_attempt_at == clock.now + dt.timedelta(minutes=1)
    assert delivery.last_error.startswith("HTTP 502")

    assert outbox.sweep()["handed"] == 0  # not due yet
    clock.advance(seconds=61)
    assert outbox.sweep()["handed"] == 1  # eager: the task ran inside the sweep
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 2)
    assert delivery.next_attempt_at == clock.now + dt.timedelta(minutes=2)

    clock.advance(minutes=2, seconds=1)
    outbox.sweep()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    clock.advance(hours=5)
    assert outbox.sweep()["handed"] == 0
    assert len(webhook_server.to("/hook")) == 3


def test_a_permanently_failing_webhook_does_not_block_other_deliveries(
    office, chief, segment, make_endpoint, webhook_server, django_capture_on_commit_callbacks
):
    webhook_server.by_path["/bad"] = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    bad = make_endpoint(WebhookKind.WECOM, path="/bad")
    good = make_endpoint(WebhookKind.DINGTALK, path="/good")
    for endpoint in (bad, good):
        AreaWebhook.objects.create(area=segment.area, endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    rows = Delivery.objects.filter(event__ticket=ticket, event__kind="assigned")
    assert dict(rows.values_list("endpoint", "status")) == {
        None: DeliveryStatus.SENT, bad.pk: DeliveryStatus.PENDING, good.pk: DeliveryStatus.SENT,
    }
    assert "93000" in rows.get(endpoint=bad).last_error
    assert len(mail.outbox) == 1


def test_a_disabled_robot_fails_at_once(assigned, make_endpoint):
    endpoint = make_endpoint(WebhookKind.WECOM)
    delivery = Delivery.objects.create(
        event=assigned.events.get(kind="assigned"), channel="webhook", endpoint=endpoint, subject="s", body="b",
        next_attempt_at=timezone.now(), created_at=timezone.now(), updated_at=timezone.now(),
    )
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    assert outbox.deliver(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (1, "webhook endpoint missing or disabled")


def test_the_sweep_sends_rows_whose_message_was_lost_once(assigned, clock, monkeypatch):
    delivery = email_delivery(assigned)
    assert outbox.sweep()["handed"] == 0  # its own task still has the grace period
    clock.advance(minutes=2)
    published = []
    monkeypatch.setattr(outbox, "_publish_one", published.append)
    assert outbox.sweep()["handed"] == 1
    # The lease: a second sweep before the task ran does not queue it again.
    clock.advance(minutes=1)
    assert outbox.sweep()["handed"] == 0
    assert published == [delivery.pk]
    assert outbox.deliver(delivery.pk) == "sent"
    assert outbox.deliver(delivery.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_one_bad_row_does_not_stop_the_sweep(assigned, office, chief, segment, clock, monkeypatch, caplog):
    second = ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    first, other = email_delivery(assigned), email_delivery(second)
    clock.advance(minutes=2)
    real = outbox._publish_one

    def flaky(delivery_id):
        if delivery_id == first.pk:
            raise ValueError("bad row")
        real(delivery_id)

    monkeypatch.setattr(outbox, "_publish_one", flaky)
    assert outbox.sweep()["handed"] == 1
    assert "going on" in caplog.text
    other.refresh_from_db()
    assert other.status == DeliveryStatus.SENT


def test_the_office_resends_failed_and_unknown_rows(assigned, django_capture_on_commit_callbacks):
    delivery = email_delivery(assigned)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.UNKNOWN, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend([delivery.pk]) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend([delivery.pk]) == 0  # a sent row is not resent
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tasks_racing_on_one_row_send_once(office, chief, segment, make_endpoint, webhook_server, monkeypatch):
    ensure_default_rules()
    monkeypatch.setattr(outbox, "_publish_one", lambda delivery_id: None)  # the racers below send it
    AreaWebhook.objects.create(area=segment.area, endpoint=make_endpoint(WebhookKind.GENERIC))
    ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    robot = Delivery.objects.get(channel="webhook")
    results = race(*[lambda: outbox.deliver(robot.pk)] * 8)
    assert sorted(results) == ["sent"] + ["skipped"] * 7
    assert len(webhook_server.requests) == 1


def test_an_email_costs_two_statements_the_claim_returning_the_row_and_the_mark(assigned):
    delivery = email_delivery(assigned)
    with CaptureQueriesContext(connection) as context:
        assert outbox.deliver(delivery.pk) == "sent"
    assert [q["sql"].split()[0] for q in context.captured_queries] == ["UPDATE", "UPDATE"]
    assert "RETURNING" in context.captured_queries[0]["sql"]
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == ([delivery.address], delivery.subject, delivery.body)
    assert message.extra_headers["X-Hezhang-Delivery"] == str(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert delivery.claimed_at is not None and delivery.sent_at is not None


def test_a_generic_webhook_reads_its_endpoint_event_and_ticket_number(assigned, segment, make_endpoint, webhook_server):
    AreaWebhook.objects.create(area=segment.area, endpoint=make_endpoint(WebhookKind.GENERIC))
    services.ticket_start(ticket=assigned, actor=assigned.responsible_chief)
    services.ticket_change_deadline(
        ticket=assigned, actor=assigned.reporter, due_at=timezone.localdate() + dt.timedelta(days=20), reason="汛期"
    )
    delivery = Delivery.objects.get(event__kind="deadline_changed", channel="webhook")
    with CaptureQueriesContext(connection) as context:
        assert outbox.deliver(delivery.pk) == "sent"
    # The claim, the endpoint, the event with its ticket's number, the mark.
    assert len(context.captured_queries) == 4, [q["sql"][:120] for q in context.captured_queries]
    [body] = webhook_server.json_bodies()
    assert (body["delivery"], body["kind"], body["event"], body["ticket"]) == (
        delivery.pk, "deadline_changed", delivery.event_id, assigned.number,
    )
    assert (body["title"], body["text"], body["url"]) == (delivery.subject, delivery.body, delivery.link)
    assert webhook_server.requests[0]["signature_ok"]


def test_without_update_returning_the_claim_reads_the_row_after_it(assigned, monkeypatch):
    monkeypatch.setattr(outbox, "_returning_update", lambda: False)
    delivery = email_delivery(assigned)
    assert outbox.deliver(delivery.pk) == "sent"
    assert outbox.deliver(delivery.pk) == "skipped"
    assert [m.to for m in mail.outbox] == [[delivery.address]]
