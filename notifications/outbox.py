"""The outbox: notification rows are written with the event, handed to Celery after commit, sent at most once.

Life of a Delivery row:
  pending --claim--> sending --sent--> sent
                        |--error, attempts left--> pending (next_attempt_at = now + backoff)
                        |--error, no attempts left / permanent--> failed
                        '--worker died (stuck past the timeout)--> unknown
The claim is a conditional UPDATE (pending → sending) returning what the channel reads, so a task that runs
twice, or a task and the sweep racing, send once. A row stuck in "sending" may or may not have gone out (the worker can die
between the robot's answer and our UPDATE); email and robots cannot be asked, so such a row becomes
"unknown" for the office to check and is never resent automatically: at most once, never twice.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from tickets.models import TicketEvent

from . import channels, conf
from .caches import ProcessCache
from .messages import event_context, render
from .models import (
    CHIEF_RECIPIENTS,
    AreaWebhook,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    Recipient,
    WebhookEndpoint,
    WebhookKind,
)
from .preferences import preferences_for
from .recipients import resolve

logger = logging.getLogger(__name__)

# The ticket action waits for the broker only this long when Redis is down: one quick retry, then the sweep.
PUBLISH_OPTIONS = {
    "retry": True,
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
}
# Whose message a group robot gets when an event has several chiefs: the one who must act now.
GROUP_VOICE = [Recipient.RESPONSIBLE_CHIEF, Recipient.NEW_CHIEF, Recipient.SUPERIOR, Recipient.PREVIOUS_CHIEF]


# Writing, inside the ticket's transaction.


def on_event_recorded(sender, event, **kwargs):
    """tickets.signals.event_recorded receiver: runs inside the transaction that appends the event."""
    try:
        # All the Python work first (recipients, preferences, rendering): a bug there (a broken template,
        # a bad rule) is logged and nothing is written; a notification bug must not stop the office working.
        # No savepoint is needed for that, and none is taken: it would cost two round trips on every event.
        notifications, deliveries = plan_for_event(event)
        delivery_ids = write(notifications, deliveries)
    except DatabaseError:
        raise  # the ticket's transaction is broken anyway: let the action fail as it would without us
    except Exception:
        logger.exception("notifications for event %s (%s) could not be written", event.pk, event.kind)
        return
    if delivery_ids:
        # robust: an on-commit error is logged by Django and never reaches the ticket action.
        transaction.on_commit(partial(publish, delivery_ids), robust=True)


def _load_area_robots():
    """{area id: [endpoint, ...]}: the active group robots of every area, in the order they were linked."""
    by_area = {}
    rows = (
        AreaWebhook.objects.filter(is_active=True, endpoint__is_active=True)
        .select_related("endpoint")
        .order_by("pk")
    )
    for row in rows:
        by_area.setdefault(row.area_id, []).append(row.endpoint)
    return by_area


# Read on every chief's event; a province has at most a few thousand area groups.
AREA_ROBOTS = ProcessCache(_load_area_robots)
forget_area_robots = AREA_ROBOTS.forget


def _new_delivery(*, now, **fields):
    return Delivery(
        status=DeliveryStatus.PENDING,
        # Its own task should take it at once; only if that message is lost does the sweep send it.
        next_attempt_at=now + conf.sweep_grace(),
        created_at=now,
        updated_at=now,
        **fields,
    )


def write(notifications, deliveries):
    """INSERT the planned rows, a statement per table; return the delivery ids to publish."""
    if connection.features.can_return_rows_from_bulk_insert:
        Notification.objects.bulk_create(notifications)
        # Each delivery's notification got its pk above; bulk_create copies it into notification_id.
        Delivery.objects.bulk_create(deliveries)
    else:  # a database that cannot hand back the new ids (SQLite before 3.35)
        for row in [*notifications, *deliveries]:
            row.save(force_insert=True)
    return [delivery.pk for delivery in deliveries]


def write_for_event(event):
    """Write the Notification and Delivery rows for one event; return the delivery ids to publish."""
    return write(*plan_for_event(event))


def plan_for_event(event):
    """The unsaved Notification and Delivery rows for one event (deliveries in the order to publish them)."""
    recipients = resolve(event)
    if not recipients:
        return [], []
    now = timezone.now()
    ticket = event.ticket
    link_path = conf.ticket_path(ticket.number)
    link = conf.site_url() + link_path
    preferences = preferences_for(r.user for r in recipients)
    endpoints_done = set()
    # The group first: a chief who also chose the group robot as their own channel is told there once.
    deliveries = _plan_group_deliveries(event, recipients, now=now, link=link, endpoints_done=endpoints_done)
    notifications = []

    for recipient in recipients:
        preference = preferences[recipient.user.pk]
        context = event_context(event, user=recipient.user, reason=recipient.reason)

        def message(channel, context=context, preference=preference):
            return render(event.kind, context, language=preference.language, channel=channel)

        inapp = message("inapp")
        notification = Notification(
            recipient=recipient.user, event=event, ticket=ticket, kind=event.kind, reason=recipient.reason,
            title=inapp.title, body=inapp.body, link=link_path, created_at=now,
        )
        notifications.append(notification)
        if preference.email_enabled and preference.email_address:
            mail = message("email")
            deliveries.append(_new_delivery(
                now=now, notification=notification, event=event, channel=DeliveryChannel.EMAIL,
                address=preference.email_address, subject=mail.title, body=mail.body, link=link,
            ))
        endpoint = preference.webhook if preference.webhook_enabled else None
        if endpoint is not None and endpoint.is_active and endpoint.pk not in endpoints_done:
            chat = message("markdown")
            deliveries.append(_new_delivery(
                now=now, notification=notification, event=event, channel=DeliveryChannel.WEBHOOK,
                endpoint=endpoint, subject=chat.title, body=chat.body, link=link,
            ))
            endpoints_done.add(endpoint.pk)

    return notifications, deliveries


def _plan_group_deliveries(event, recipients, *, now, link, endpoints_done):
    """A chief's message also goes to the work-chat group of the segment's area, once per robot."""
    chiefs = {r.reason: r for r in recipients if r.reason in CHIEF_RECIPIENTS}
    voice = next((chiefs[reason] for reason in GROUP_VOICE if reason in chiefs), None)
    if voice is None:
        return []
    endpoints = [
        endpoint
        for endpoint in AREA_ROBOTS.get().get(event.ticket.segment.area_id, ())
        if endpoint.pk not in endpoints_done
    ]
    if not endpoints:
        return []
    context = event_context(event, user=voice.user, reason=voice.reason)
    chat = render(event.kind, context, language=settings.LANGUAGE_CODE, channel="markdown")
    deliveries = []
    for endpoint in endpoints:
        deliveries.append(_new_delivery(
            now=now, event=event, channel=DeliveryChannel.WEBHOOK, endpoint=endpoint,
            subject=chat.title, body=chat.body, link=link,
        ))
        endpoints_done.add(endpoint.pk)
    return deliveries


# Handing to Celery, after commit.


def _publish_one(delivery_id):
    from .tasks import deliver

    options = dict(PUBLISH_OPTIONS)
    if conf.queue():
        options["queue"] = conf.queue()
    deliver.apply_async((delivery_id,), **options)


def publish(delivery_ids):
    """Send one task per delivery. If the broker is down, the rows stay pending and become due for the sweep."""
    for index, delivery_id in enumerate(delivery_ids):
        try:
            _publish_one(delivery_id)
        except Exception:
            rest = list(delivery_ids[index:])
            logger.warning("could not hand deliveries %s to Celery; the sweep will send them", rest, exc_info=True)
            Delivery.objects.filter(pk__in=rest, status=DeliveryStatus.PENDING).update(
                next_attempt_at=timezone.now()
            )
            return


# Sending, in the worker.


# What a channel reads of its row (channels/email.py, channels/webhooks.py) and what marking it reads; the
# other columns (the status and claim time just written among them) stay in the table.
RETURNED_FIELDS = [
    "id", "channel", "address", "subject", "body", "link", "endpoint_id", "event_id", "notification_id", "attempts",
]
CLAIMED_FIELDS = [*RETURNED_FIELDS, "status", "claimed_at"]


def _claim_sql():
    table = connection.ops.quote_name(Delivery._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(Delivery._meta.get_field(name).column) for name in RETURNED_FIELDS)
    return (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1, updated_at = %s"
        f" WHERE id = %s AND status = %s RETURNING {columns}"
    )


def _returning_update():
    # PostgreSQL, and SQLite from 3.35; any other database claims and then reads (two round trips).
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)


def claim(delivery_id):
    """pending → sending, in one conditional UPDATE; the row (what its channel reads) for the one caller that
    wins it, None for every other.

    One statement that claims and reads: a second worker's UPDATE of the same row waits for the first to
    commit, then finds it no longer pending and returns nothing. (SELECT … FOR UPDATE SKIP LOCKED and then
    an UPDATE would decide the same, in a transaction of four round trips instead of one.)
    """
    now = timezone.now()
    if _returning_update():
        field = Delivery._meta.get_field
        params = [
            str(DeliveryStatus.SENDING), field("claimed_at").get_db_prep_value(now, connection),
            field("updated_at").get_db_prep_value(now, connection), int(delivery_id), str(DeliveryStatus.PENDING),
        ]
        with connection.cursor() as cursor:
            cursor.execute(_claim_sql(), params)
            row = cursor.fetchone()
        if row is None:
            return None
        # Integers, text and NULLs: no backend needs a converter for these (a datetime would on SQLite).
        values = dict(zip(RETURNED_FIELDS, row, strict=True), status=DeliveryStatus.SENDING, claimed_at=now)
        # from_db takes the values in the model's field order.
        present = [f.attname for f in Delivery._meta.concrete_fields if f.attname in values]
        return Delivery.from_db(connection.alias, present, [values[name] for name in present])
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    return Delivery.objects.only(*CLAIMED_FIELDS).get(pk=delivery_id) if claimed else None


def mark_sent(delivery_id):
    now = timezone.now()
    # "unknown" too: a send slower than the stall timeout that did finish is known to be sent after all.
    Delivery.objects.filter(pk=delivery_id, status__in=[DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN]).update(
        status=DeliveryStatus.SENT, sent_at=now, last_error="", updated_at=now
    )


def mark_failed(delivery, exc):
    now = timezone.now()
    error = str(exc) if isinstance(exc, channels.DeliveryError) else f"{type(exc).__name__}: {exc}"
    permanent = isinstance(exc, channels.PermanentDeliveryError) or delivery.attempts >= conf.max_attempts()
    if permanent:
        fields = {"status": DeliveryStatus.FAILED}
        logger.warning("delivery %s failed for good after %s attempts: %s", delivery.pk, delivery.attempts, error)
    else:
        fields = {"status": DeliveryStatus.PENDING, "next_attempt_at": now + conf.backoff(delivery.attempts)}
        logger.info("delivery %s attempt %s failed, retrying: %s", delivery.pk, delivery.attempts, error)
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        last_error=error[:2000], updated_at=now, **fields
    )
    return fields["status"]


def load_for_channel(delivery):
    """Read what the row's channel needs besides the row: an email nothing; a robot its endpoint; a generic
    webhook also the event's kind and ticket number (its JSON names them)."""
    if delivery.channel != DeliveryChannel.WEBHOOK or delivery.endpoint_id is None:
        return delivery
    delivery.endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).first()
    if delivery.endpoint is not None and delivery.endpoint.kind == WebhookKind.GENERIC:
        # Whole rows (a ticket deferred in part would read its state fields back one query later).
        if delivery.event_id is not None:
            delivery.event = TicketEvent.objects.select_related("ticket").get(pk=delivery.event_id)
        elif delivery.notification_id is not None:
            delivery.notification = Notification.objects.select_related("ticket").get(pk=delivery.notification_id)
    return delivery


def deliver(delivery_id):
    """Send one delivery if it is still pending. Safe to call any number of times."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "skipped"
    load_for_channel(delivery)
    try:
        channels.send(delivery)
    except Exception as exc:  # any error is this row's failure, recorded on it; never the worker's
        return mark_failed(delivery, exc)
    mark_sent(delivery_id)
    return "sent"


# The sweep (beat, every minute) and the office's resend.


def mark_stalled(now):
    """Rows 'sending' past the timeout: their worker died. Not resent (it may have sent): 'unknown'."""
    cutoff = now - conf.sending_timeout()
    count = 0
    stalled = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff)
    for delivery_id in list(stalled.values_list("pk", flat=True)):
        try:
            count += Delivery.objects.filter(
                pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at__lt=cutoff
            ).update(
                status=DeliveryStatus.UNKNOWN, updated_at=now,
                last_error="发送中断:工作进程在发送后、记录结果前停止,可能已发出。请核实后决定是否重发。",
            )
            logger.warning("delivery %s stalled in sending; marked unknown, not resent", delivery_id)
        except Exception:
            logger.exception("could not mark delivery %s unknown", delivery_id)
    return count


def sweep():
    """Hand every due pending row to Celery (messages lost with Redis, retries whose wait is over)."""
    now = timezone.now()
    stalled = mark_stalled(now)
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    handed = 0
    for delivery_id in list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[: conf.sweep_batch()]):
        try:
            # The lease keeps the next sweeps from queueing the same row again while its task waits in line.
            leased = Delivery.objects.filter(
                pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
            ).update(next_attempt_at=now + conf.sweep_lease())
            if leased:
                _publish_one(delivery_id)
                handed += 1
        except (BrokerError, ConnectionError) as exc:
            # The broker is down: every other row would fail the same way. Leave them due for the next sweep.
            Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(next_attempt_at=now)
            logger.warning("sweep stopped: broker unavailable (%s)", exc)
            break
        except Exception:
            logger.exception("sweep could not hand delivery %s over; going on", delivery_id)
    return {"stalled": stalled, "handed": handed}


def resend(delivery_ids):
    """The office resends failed or unknown rows after checking: a fresh set of attempts."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=delivery_ids, status__in=[DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN])
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now + conf.sweep_grace(),
            claimed_at=None, updated_at=now,
        )
        if ids:
            transaction.on_commit(partial(publish, ids), robust=True)
    return len(ids)
