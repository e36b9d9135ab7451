"""Writing the outbox: in the ticket's transaction, published after commit, never failing the ticket action."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import outbox, tasks
from notifications.models import (
    AreaWebhook,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    WebhookKind,
)
from tests.factories import AppointmentFactory, open_ticket, ticket_in_state
from tickets import services
from tickets.models import Ticket, TicketEvent, TicketState
from tickets.signals import event_recorded


@pytest.fixture
def chief(chief):
    chief.email = "chief@example.cn"
    chief.save(update_fields=["email"])
    return chief


@pytest.fixture
def reported(office, segment, supervisor):
    return open_ticket(reporter=supervisor, segment=segment)


def assign(ticket, office, chief):
    return services.ticket_assign(
        ticket=ticket, actor=office, chief=chief, due_at=timezone.localdate() + dt.timedelta(days=7)
    )


def test_rows_are_written_with_the_event_and_published_after_commit(
    reported, office, chief, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assign(reported, office, chief)
        notification = Notification.objects.get(kind="assigned")
        delivery = Delivery.objects.get(notification=notification)
        # Written, not sent: nothing leaves before the ticket's transaction commits.
        assert delivery.status == DeliveryStatus.PENDING
        assert (delivery.channel, delivery.address) == (DeliveryChannel.EMAIL, "chief@example.cn")
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [["chief@example.cn"]]


def test_a_failed_transaction_rolls_back_the_outbox_rows(
    reported, office, chief, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assign(reported, office, chief)
        assert Notification.objects.filter(kind="assigned").exists()
        raise RuntimeError("the action failed after the event was recorded")
    assert not Notification.objects.filter(kind="assigned").exists()
    assert not Delivery.objects.filter(event__kind="assigned").exists()
    assert callbacks == []
    assert mail.outbox == []
    assert Ticket.objects.get(pk=reported.pk).state == TicketState.REPORTED


def test_the_ticket_action_succeeds_when_the_broker_is_down(
    reported, office, chief, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver, "apply_async", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="notifications.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = assign(reported, office, chief)
    assert ticket.state == TicketState.ASSIGNED
    delivery = Delivery.objects.get(event__kind="assigned")
    # Left pending and due at once, for the first sweep after the broker is back.
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at <= timezone.now()
    assert "the sweep will send them" in caplog.text
    assert mail.outbox == []

    monkeypatch.undo()
    assert outbox.sweep() == {"stalled": 0, "handed": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_a_notification_bug_never_fails_the_ticket_action(reported, office, chief, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("template broke")

    monkeypatch.setattr(outbox, "render", broken)
    ticket = assign(reported, office, chief)
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.ASSIGNED
    assert not Notification.objects.filter(kind="assigned").exists()
    assert "could not be written" in caplog.text


def test_eager_mode_delivers_inline_and_a_failing_webhook_does_not_raise(
    reported, office, chief, make_endpoint, webhook_server, django_capture_on_commit_callbacks
):
    webhook_server.answers = [(500, {"error": "down"})]
    AreaWebhook.objects.create(area=reported.segment.area, endpoint=make_endpoint(WebhookKind.WECOM))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = assign(reported, office, chief)
    assert ticket.state == TicketState.ASSIGNED
    statuses = dict(Delivery.objects.values_list("channel", "status"))
    assert statuses == {"email": DeliveryStatus.SENT, "webhook": DeliveryStatus.PENDING}
    assert "HTTP 500" in Delivery.objects.get(channel="webhook").last_error


def test_an_area_group_hears_once_per_event(
    reported, office, chief, segment, make_endpoint, django_capture_on_commit_callbacks
):
    group = make_endpoint(WebhookKind.DINGTALK, path="/group")
    AreaWebhook.objects.create(area=segment.area, endpoint=group)
    other_area_group = make_endpoint(WebhookKind.WECOM, path="/elsewhere")
    AreaWebhook.objects.create(area=AppointmentFactory().segment.area, endpoint=other_area_group)
    # The chief also picked the group robot as a personal channel: still one message to it.
    NotificationPreference.objects.create(user=chief, webhook_enabled=True, webhook=group)
    new_chief = AppointmentFactory(segment=segment, level="township", chief__username="new").chief

    ticket = assign(reported, office, chief)
    services.ticket_reassign(ticket=ticket, actor=office, chief=new_chief, reason="人员调整")

    reassigned = Delivery.objects.filter(event__kind="reassigned", channel=DeliveryChannel.WEBHOOK)
    assert list(reassigned.values_list("endpoint", flat=True)) == [group.pk]
    # The group reads the new chief's message, not "no longer yours".
    assert "改派交办" in reassigned.get().subject
    assert not Delivery.objects.filter(endpoint=other_area_group).exists()
    assert Delivery.objects.filter(event__kind="assigned", endpoint=group).count() == 1


def test_office_only_events_do_not_go_to_the_area_group(reported, office, chief, segment, make_endpoint):
    AreaWebhook.objects.create(area=segment.area, endpoint=make_endpoint(WebhookKind.WECOM))
    assert Notification.objects.filter(kind="created").exists()
    assert not Delivery.objects.filter(event__kind="created", channel=DeliveryChannel.WEBHOOK).exists()


def test_each_person_chooses_their_channels(reported, office, chief, make_endpoint):
    robot = make_endpoint(WebhookKind.WECOM, path="/mine")
    NotificationPreference.objects.create(
        user=chief, email_enabled=True, email="other@example.cn", webhook_enabled=True, webhook=robot
    )
    NotificationPreference.objects.create(user=office, email_enabled=False)
    office.email = "office@example.cn"
    office.save(update_fields=["email"])
    ticket = assign(reported, office, chief)
    chief_rows = Delivery.objects.filter(notification__recipient=chief, event__ticket=ticket)
    assert sorted(chief_rows.values_list("channel", "address", "endpoint")) == [
        ("email", "other@example.cn", None),
        ("webhook", "", robot.pk),
    ]
    # Office: email switched off; in-app is always on.
    services.ticket_start(ticket=ticket, actor=chief)
    assert Notification.objects.filter(recipient=office, kind="created").exists()
    assert not Delivery.objects.filter(notification__recipient=office).exists()


def test_no_email_address_means_in_app_only(reported, office, segment):
    chief = AppointmentFactory(segment=segment, level="county", chief__username="no_mail").chief
    assign(reported, office, chief)
    assert Notification.objects.filter(recipient=chief, kind="assigned").exists()
    assert not Delivery.objects.filter(notification__recipient=chief).exists()



@pytest.fixture
def receiver_sql():
    """[(event kind, [SQL the notification receiver sent for it]), ...] while the test drives tickets."""
    per_event = []

    def measured(sender, event, **kwargs):
        with CaptureQueriesContext(connection) as context:
            outbox.on_event_recorded(sender, event=event, **kwargs)
        per_event.append((event.kind, [query["sql"] for query in context.captured_queries]))

    event_recorded.disconnect(sender=TicketEvent, dispatch_uid="notifications.outbox")
    event_recorded.connect(measured, sender=TicketEvent, dispatch_uid="tests.notifications.measured")
    yield per_event
    event_recorded.disconnect(sender=TicketEvent, dispatch_uid="tests.notifications.measured")
    event_recorded.connect(outbox.on_event_recorded, sender=TicketEvent, dispatch_uid="notifications.outbox")


def test_each_event_costs_few_queries_and_no_savepoint(
    office, chief, segment, supervisor, verifier, make_endpoint, receiver_sql
):
    for path in ("/a", "/b"):
        AreaWebhook.objects.create(area=segment.area, endpoint=make_endpoint(WebhookKind.WECOM, path=path))
    people = {"office": office, "chief": chief, "segment": segment, "reporter": supervisor, "verifier": verifier}
    # The first lifecycle warms what each process keeps (the rules, the office and verifier groups, the robots).
    ticket_in_state(TicketState.CLOSED, **people)
    receiver_sql.clear()
    ticket = ticket_in_state(TicketState.CLOSED, **people)

    assert not [sql for _kind, queries in receiver_sql for sql in queries if "SAVEPOINT" in sql]

    def ours(sql):
        # A recipient's account the ticket row did not bring along (the reporter's) is read by tickets/.
        return not sql.startswith('SELECT "auth_user"')

    statements = [(kind, [sql.split()[0] for sql in queries if ours(sql)]) for kind, queries in receiver_sql]
    assert statements == [
        ("created", ["SELECT", "INSERT"]),  # the office's preferences; its notification
        ("assigned", ["SELECT", "INSERT", "INSERT"]),  # the chief's email and the two robots: one INSERT
        ("started", []),  # nobody to tell, nothing read
        ("attachment_added", []),
        ("submitted", ["SELECT", "INSERT"]),  # the office and the verifier: one INSERT
        ("verified", ["SELECT", "INSERT", "INSERT"]),
        ("closed", ["SELECT", "INSERT", "INSERT"]),
    ]
    assert all(len(queries) <= 4 for _kind, queries in receiver_sql)
    assert Notification.objects.filter(ticket=ticket).count() == 8
    assert Delivery.objects.filter(event__ticket=ticket, channel=DeliveryChannel.WEBHOOK).count() == 6
    assert Delivery.objects.filter(event__ticket=ticket, channel=DeliveryChannel.EMAIL).count() == 3


def test_a_database_error_is_not_swallowed(reported, office, chief, monkeypatch):
    # The ticket's transaction cannot go on after one (PostgreSQL aborts it): the action fails, as it would
    # without notifications, instead of committing a half-written outbox.
    def broken(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Delivery.objects, "bulk_create", broken)
    with pytest.raises(IntegrityError):
        assign(reported, office, chief)
    assert Ticket.objects.get(pk=reported.pk).state == TicketState.REPORTED


def test_rows_are_written_in_the_order_they_are_published(
    reported, office, chief, segment, make_endpoint, monkeypatch, django_capture_on_commit_callbacks
):
    robot = make_endpoint(WebhookKind.WECOM, path="/group")
    AreaWebhook.objects.create(area=segment.area, endpoint=robot)
    published = []
    monkeypatch.setattr(outbox, "_publish_one", published.append)
    with django_capture_on_commit_callbacks(execute=True):
        assign(reported, office, chief)
    rows = Delivery.objects.filter(event__kind="assigned").order_by("pk")
    # The group first, then each person's channels; each email row points at its person's notification.
    assert published == [row.pk for row in rows]
    assert [(row.channel, row.endpoint_id) for row in rows] == [("webhook", robot.pk), ("email", None)]
    assert rows[1].notification == Notification.objects.get(kind="assigned", recipient=chief)
