"""The daily digest: one message per chief listing their overdue, rejected and soon-due open tickets."""

import datetime as dt
import logging
from collections import defaultdict
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tickets.models import Ticket, TicketState
from tickets.models.tickets import CLOCK_RUNNING_STATES

from . import conf
from .messages import display_name, format_deadline, render
from .models import Delivery, DeliveryChannel, DeliveryStatus, Notification
from .outbox import publish
from .preferences import preference_for

logger = logging.getLogger(__name__)
SECTIONS = ("overdue", "rejected", "due_soon")


def _section(ticket, *, now, soon):
    """Each ticket is listed once, under the most pressing heading."""
    if ticket.due_at and ticket.due_at < now:
        return "overdue"
    if ticket.state == TicketState.RECTIFYING and ticket.rejection_count:
        return "rejected"
    if ticket.due_at and ticket.due_at <= soon:
        return "due_soon"
    return None


def digest_sections(*, now):
    """{chief: {section: [ticket, ...]}} for every chief with something to do; one query."""
    soon = now + dt.timedelta(days=conf.digest_due_soon_days())
    tickets = (
        Ticket.objects.filter(state__in=CLOCK_RUNNING_STATES, responsible_chief__isnull=False)
        .filter(Q(due_at__lte=soon) | Q(state=TicketState.RECTIFYING, rejection_count__gt=0))
        .select_related("responsible_chief", "segment__river", "segment__area")
        .order_by("due_at", "number")
    )
    by_chief = defaultdict(lambda: {name: [] for name in SECTIONS})
    for ticket in tickets:
        section = _section(ticket, now=now, soon=soon)
        if section:
            by_chief[ticket.responsible_chief][section].append(ticket)
    return by_chief


def _row(ticket):
    return {
        "number": ticket.number,
        "river": ticket.segment.river.name,
        "segment": ticket.segment.name,
        "deadline": format_deadline(ticket.due_at),
        "url": conf.site_url() + conf.ticket_path(ticket.number),
    }


def write_digest(*, chief, sections, today, now):
    """Write one chief's digest and return its delivery ids; None if skipped (opted out, or already today)."""
    preference = preference_for(chief)
    if not preference.digest_enabled or not chief.is_active:
        return None
    if Notification.objects.filter(recipient=chief, digest_date=today).exists():
        return None
    context = {name: [_row(t) for t in tickets] for name, tickets in sections.items()}
    context.update(
        recipient=chief, recipient_name=display_name(chief), date=today.isoformat(),
        days=conf.digest_due_soon_days(),
    )

    def message(channel):
        return render("digest", context, language=preference.language, channel=channel)

    inapp = message("inapp")
    notification = Notification.objects.create(
        recipient=chief, kind="digest", digest_date=today, title=inapp.title, body=inapp.body,
        link=conf.ticket_list_path(), created_at=now,
    )
    targets = []
    if preference.email_enabled and preference.email_address:
        targets.append(("email", {"channel": DeliveryChannel.EMAIL, "address": preference.email_address}))
    endpoint = preference.webhook if preference.webhook_enabled else None
    if endpoint is not None and endpoint.is_active:
        targets.append(("markdown", {"channel": DeliveryChannel.WEBHOOK, "endpoint": endpoint}))
    ids = []
    for channel, fields in targets:
        text = message(channel)
        ids.append(Delivery.objects.create(
            notification=notification, subject=text.title, body=text.body, link=conf.site_url() + notification.link,
            status=DeliveryStatus.PENDING,
            next_attempt_at=now + conf.sweep_grace(), created_at=now, updated_at=now, **fields,
        ).pk)
    return ids


def send_digests():
    """Each chief in their own transaction: one chief's bad data never stops the others' digests."""
    now = timezone.now()
    today = timezone.localdate(now)
    written = 0
    for chief, sections in digest_sections(now=now).items():
        try:
            with transaction.atomic():
                ids = write_digest(chief=chief, sections=sections, today=today, now=now)
                if ids:
                    transaction.on_commit(partial(publish, ids), robust=True)
            written += ids is not None
        except IntegrityError:
            logger.info("digest for %s on %s was written by another run", chief.pk, today)
        except Exception:
            logger.exception("digest for chief %s could not be written; going on", chief.pk)
    return written
