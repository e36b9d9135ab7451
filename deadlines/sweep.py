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
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tickets.models import EventKind
from tickets.rules import Role
from tickets.selectors import chief_superior, responsible_chief
from tickets.services import record_event

from .calendar import WorkingCalendar
from .models import AlertKind, FiredAlert, TicketClock
from .schedule import Ladder, pending_steps

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


class AlreadyFired(Exception):
    """FiredAlert's unique constraint: this step of this deadline has fired before."""


def _fire(ticket, clock, step, ladder):
    """Record the step's event, then its FiredAlert (with the event: one INSERT, no UPDATE after).

    The caller read the fired steps under the ticket's row lock, which every sweep takes, so the step
    has not fired; should the unique constraint say otherwise, AlreadyFired rolls the whole ticket
    back, event included, and _sweep_ticket leaves it to the sweep that got there first.
    """
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
    try:
        return FiredAlert.objects.create(
            ticket=ticket, generation=clock.generation, kind=step.kind, step=step.step, due_at=clock.due_at,
            fired_at=timezone.now(), event=event,
        )
    except IntegrityError as exc:
        raise AlreadyFired from exc


def _locked_clock(ticket_id):
    """The clock with its ticket, both rows locked; None if either is locked now (a user acting, another
    sweep): the ticket stays due and is taken next time. One query for what was a probe, the ticket's
    lock (with what the event and the audience read: chief, segment, river, area) and the clock's."""
    return (
        TicketClock.objects.select_for_update(skip_locked=True, of=("self", "ticket"))
        .select_related("ticket__responsible_chief", "ticket__segment__river", "ticket__segment__area")
        .filter(pk=ticket_id)
        .first()
    )


def _sweep_ticket(ticket_id, now, ladder, calendar):
    fired = []
    try:
        with transaction.atomic():
            clock = _locked_clock(ticket_id)
            if clock is None:
                return fired
            ticket, pending = clock.ticket, pending_steps(clock, now=now, ladder=ladder, calendar=calendar)
            # In time order: fire what is due; the first one still ahead is the clock's next moment
            # (what next_fire_at() would compute again once these have fired).
            due = [step for step in pending if step.at <= now]
            for step in due:
                _fire(ticket, clock, step, ladder)
                fired.append((ticket.number, step.kind, step.step))
            clock.next_fire_at = pending[len(due)].at if len(pending) > len(due) else None
            clock.save(update_fields=["next_fire_at", "updated_at"])
    except AlreadyFired:
        # A step fired by another sweep after all (see _fire): this ticket's work is rolled back, theirs stands.
        logger.info("deadline sweep: ticket %s was swept by another sweep", ticket_id)
        return []
    return fired


def claim_query(now, after=None):
    """The due clocks after ``after`` (next_fire_at, ticket id), in that order: a keyset, so each batch
    is a range scan of ``clock_next_fire_idx`` however many were claimed before (a list of the ids
    already seen, to leave out, would grow with every batch)."""
    clocks = TicketClock.objects.select_for_update(skip_locked=True).filter(next_fire_at__lte=now)
    if after is not None:
        table, quote = TicketClock._meta.db_table, connection.ops.quote_name
        when, ticket_id = after
        clocks = clocks.filter(
            RawSQL(
                f"({quote(table)}.{quote('next_fire_at')}, {quote(table)}.{quote('ticket_id')}) > (%s, %s)",
                (connection.ops.adapt_datetimefield_value(when), ticket_id),
                output_field=BooleanField(),
            )
        )
    return clocks.order_by("next_fire_at", "pk").values_list("next_fire_at", "pk")[:BATCH_SIZE]


def _claim(now, after):
    with transaction.atomic():
        return list(claim_query(now, after))


def run_sweep(*, now=None):
    now = now or timezone.now()
    # The tables as they are at each run (two small queries a minute), not the process's copy.
    ladder, calendar = Ladder.load(), WorkingCalendar(fresh=True)
    result, after = SweepResult(), None
    while batch := _claim(now, after):
        for _at, ticket_id in batch:
            result.seen += 1
            try:
                result.fired += _sweep_ticket(ticket_id, now, ladder, calendar)
            except Exception:
                logger.exception("deadline sweep failed for ticket %s", ticket_id)
                result.failed.append(ticket_id)
        after = batch[-1]
    if result.fired or result.failed:
        logger.info("deadline sweep: %d fired, %d failed", len(result.fired), len(result.failed))
    return result


def preview(*, now=None):
    """What a sweep at ``now`` would fire, without writing anything: [(ticket, Step, audience)]."""
    now = now or timezone.now()
    ladder, calendar = Ladder.load(), WorkingCalendar(fresh=True)
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
