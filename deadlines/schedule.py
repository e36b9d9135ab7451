"""When each reminder and escalation level of a deadline falls due.

Pure functions over a clock, the ladder and the calendar: the receiver uses them to set
``TicketClock.next_fire_at``, the sweep to decide what fires now, the dry run to show it.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from config.process_cache import ProcessCache

from .calendar import office_moment, office_tz
from .models import AlertKind, EscalationStep, FiredAlert, ReminderStep


@dataclass(frozen=True)
class Step:
    kind: str
    step: int
    at: dt.datetime


@dataclass(frozen=True)
class Ladder:
    reminder_days: tuple
    levels: dict  # level -> EscalationStep

    @classmethod
    def load(cls):
        """The ladder as the tables hold it now."""
        return cls(
            reminder_days=tuple(ReminderStep.objects.values_list("days_before", flat=True)),
            levels={step.level: step for step in EscalationStep.objects.all()},
        )

    @classmethod
    def cached(cls):
        """The process's copy, at most a TTL old: for the clock, which needs it on every ticket event."""
        return LADDER.get()


# Two tiny tables the office edits rarely (config.process_cache): an edit in this process (the admin)
# clears the copy at once (apps.py connects the signals) and refresh_all_clocks reads the tables afresh;
# other processes see it within the TTL.
LADDER = ProcessCache(Ladder.load)
forget_ladder = LADDER.forget


def reminder_time():
    hour, minute = (int(part) for part in getattr(settings, "DEADLINES_REMINDER_TIME", "09:00").split(":"))
    return dt.time(hour, minute)


def planned_steps(due_at, ladder, calendar):
    """Every step of the ladder for a deadline, in time order.

    Reminders go out in the morning of the n-th working day before the due date; level 1 fires the
    moment the deadline passes, each later level that many working days after the due date, at the
    deadline's time of day.
    """
    local_due = timezone.localtime(due_at, office_tz())
    steps = []
    for days in ladder.reminder_days:
        day = calendar.subtract_working_days(local_due.date(), days)
        at = office_moment(day, reminder_time())
        if at < due_at:
            steps.append(Step(AlertKind.REMINDER, days, at))
    for level, config in ladder.levels.items():
        if config.working_days_after == 0:
            at = due_at
        else:
            day = calendar.add_working_days(local_due.date(), config.working_days_after)
            at = office_moment(day, local_due.time())
        steps.append(Step(AlertKind.ESCALATION, level, at))
    return sorted(steps, key=lambda s: (s.at, s.kind != AlertKind.REMINDER, s.step))


def fired_steps(clock):
    return set(
        FiredAlert.objects.filter(ticket_id=clock.ticket_id, generation=clock.generation).values_list("kind", "step")
    )


def pending_steps(clock, *, now, ladder, calendar, fired=None):
    """The steps of the clock's current deadline still to fire (some may already be due)."""
    if not clock.running or clock.paused_since is not None or clock.due_at is None:
        return []
    fired = fired_steps(clock) if fired is None else fired
    pending = []
    for step in planned_steps(clock.due_at, ladder, calendar):
        if (step.kind, step.step) in fired:
            continue
        if step.kind == AlertKind.REMINDER:
            # A reminder whose moment came before the deadline was set, or while the chief was not the
            # one to act, would only be noise; and once the deadline has passed, escalation takes over.
            if (clock.reminders_from and step.at <= clock.reminders_from) or now >= clock.due_at:
                continue
        elif clock.levels_from and step.at <= clock.levels_from:
            continue
        pending.append(step)
    return pending


def next_fire_at(clock, *, now, ladder, calendar, fired=None):
    pending = pending_steps(clock, now=now, ladder=ladder, calendar=calendar, fired=fired)
    return pending[0].at if pending else None
