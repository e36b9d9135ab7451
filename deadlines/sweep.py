"""The sweep: fire the reminders and escalation levels whose moment has come.

Run every minute (Celery beat in production, ``run_ticker`` on the embedded default, or by hand
with ``run_deadline_sweep``). It reads only clocks whose ``next_fire_at`` has come, through a partial
index, and handles each ticket in its own transaction under the ticket's row lock; a failure is
logged and the sweep goes on. Two sweeps at once skip each other's locked tickets, and
``FiredAlert``'s unique constraint makes any step fire once per deadline even so.
"""

import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.models import EventKind, Ticket
from tickets.rules import Role
from tickets.selectors import chief_superior, responsible_chief
from tickets.services import record_event
from tickets.services.transitions import locked_ticket

from .calendar import WorkingCalendar
from .models import AlertKind, FiredAlert, TicketClock
from .schedule import Ladder, next_fire_at, pending_steps

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


@dataclass
class SweepResult:
    fired: list = field(default_factory=list)  # (ticket number, kind, step)
    failed: list = field(default_factory=list)  # ticket ids
    seen: int = 0


def _group_members(name):
    return list(
        get_user_model().objects.filter(groups__name=name, is_active=True).order_by("pk").values_list("pk", flat=True)
    )


def escalation_audience(ticket, config):
    """User ids to hear of this level, resolved from today's appointments and groups."""
    ids = []
    if config.notify_chief:
        ids.append(ticket.responsible_chief_id)
    if config.notify_superior and ticket.responsible_level:
        superior, _level = chief_superior(segment=ticket.segment, level=ticket.responsible_level)
        ids.append(getattr(superior, "pk", None))
    if config.notify_county_chief:
        ids.append(getattr(responsible_chief(segment=ticket.segment, level="county"), "pk", None))
    if config.notify_office_head:
        ids += _group_members(Role.OFFICE_HEAD)
    if config.notify_general_chief:
        ids += _group_members(Role.GENERAL_CHIEF)
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


def _fire(ticket, clock, step, ladder):
    try:
        with transaction.atomic():
            alert = FiredAlert.objects.create(
                ticket=ticket, generation=clock.generation, kind=step.kind, step=step.step, due_at=clock.due_at,
                fired_at=timezone.now(),
            )
    except IntegrityError:
        return None  # fired by another sweep already
    if step.kind == AlertKind.REMINDER:
        event = record_event(
            ticket=ticket, kind=EventKind.REMINDED, payload={"days_before": step.step, "due_at": clock.due_at}
        )
    else:
        audience = escalation_audience(ticket, ladder.levels[step.step])
        event = record_event(
            ticket=ticket, kind=EventKind.ESCALATED,
            payload={"level": step.step, "due_at": clock.due_at, "audience": audience},
        )
        if step.step > ticket.escalation_level:
            ticket.escalation_level = step.step
            ticket.save(update_fields=["escalation_level", "updated_at"])
    alert.event = event
    alert.save(update_fields=["event"])
    return alert


def _sweep_ticket(ticket_id, now, ladder, calendar):
    fired = []
    with transaction.atomic():
        # A ticket locked right now (a user acting, another sweep) stays due and is taken next time.
        if not list(Ticket.objects.select_for_update(skip_locked=True).filter(pk=ticket_id).values_list("pk")):
            return fired
        with locked_ticket(ticket_id) as ticket:
            clock = TicketClock.objects.select_for_update().get(pk=ticket_id)
            for step in pending_steps(clock, now=now, ladder=ladder, calendar=calendar):
                if step.at > now:
                    break
                if _fire(ticket, clock, step, ladder):
                    fired.append((ticket.number, step.kind, step.step))
            clock.next_fire_at = next_fire_at(clock, now=now, ladder=ladder, calendar=calendar)
            clock.save(update_fields=["next_fire_at", "updated_at"])
    return fired


def _claim(now, exclude):
    with transaction.atomic():
        return list(
            TicketClock.objects.select_for_update(skip_locked=True)
            .filter(next_fire_at__lte=now)
            .exclude(pk__in=exclude)
            .order_by("next_fire_at")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )


def run_sweep(*, now=None):
    now = now or timezone.now()
    ladder, calendar = Ladder.load(), WorkingCalendar()
    result, seen = SweepResult(), set()
    while batch := _claim(now, seen):
        for ticket_id in batch:
            seen.add(ticket_id)
            try:
                result.fired += _sweep_ticket(ticket_id, now, ladder, calendar)
            except Exception:
                logger.exception("deadline sweep failed for ticket %s", ticket_id)
                result.failed.append(ticket_id)
    result.seen = len(seen)
    if result.fired or result.failed:
        logger.info("deadline sweep: %d fired, %d failed", len(result.fired), len(result.failed))
    return result


def preview(*, now=None):
    """What a sweep at ``now`` would fire, without writing anything: [(ticket, Step, audience)]."""
    now = now or timezone.now()
    ladder, calendar = Ladder.load(), WorkingCalendar()
    clocks = TicketClock.objects.filter(next_fire_at__lte=now).select_related("ticket__segment").order_by("next_fire_at")
    due = []
    for clock in clocks:
        for step in pending_steps(clock, now=now, ladder=ladder, calendar=calendar):
            if step.at > now:
                break
            audience = (
                escalation_audience(clock.ticket, ladder.levels[step.step])
                if step.kind == AlertKind.ESCALATION else [clock.ticket.responsible_chief_id]
            )
            due.append((clock.ticket, step, audience))
    return due
