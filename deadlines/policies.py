"""Which deadline a ticket gets when the office does not type one.

The flow's assign step calls ``resolve_deadline(ticket=..., due_at=<the form's date or None>)`` and
passes the result to ``tickets.services.ticket_assign(..., due_at=d.due_at, deadline_rule=d.rule,
deadline_provisional=d.provisional)``.
"""

import calendar as month_calendar
import datetime as dt
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.errors import TicketValidationError
from tickets.models.tickets import DEADLINE_RULE_MANUAL
from tickets.services.transitions import as_deadline

from .calendar import WorkingCalendar, office_date
from .models import CountFrom, DeadlinePolicy, NonWorkingDayRule, Unit

RULE_MANUAL = DEADLINE_RULE_MANUAL
RULE_EXTENSION = "extension"
POLICY_PREFIX = "policy:"


class Deadline(NamedTuple):
    due_at: dt.datetime
    rule: str
    provisional: bool


def policy_for(source, severity):
    """The policy for this source and severity; one for the source alone (severity left empty) is the fallback."""
    return (
        DeadlinePolicy.objects.filter(source=source, severity__in=[severity, ""]).order_by("-severity").first()
    )


def policy_from_rule(rule):
    if not (rule or "").startswith(POLICY_PREFIX):
        return None
    return DeadlinePolicy.objects.filter(code=rule.removeprefix(POLICY_PREFIX)).first()


def add_months(day, months):
    """Same day of the month, ``months`` later; the month's last day where it is shorter (Dec 31 → Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def _on_working_day(day, rule, calendar):
    if rule == NonWorkingDayRule.NEXT:
        return calendar.next_working_day(day)
    if rule == NonWorkingDayRule.PREVIOUS:
        return calendar.previous_working_day(day)
    return day


def compute_deadline(ticket, assigned_on, *, policy=None):
    """The deadline the policy gives this ticket if it is assigned on ``assigned_on`` (a date).

    The day the count starts from is not counted, as with legal time limits: 5 working days from a
    Monday end on the next Monday. The deadline is the end of its last day, office time.
    """
    policy = policy or policy_for(ticket.source, ticket.severity)
    if policy is None:
        raise TicketValidationError({"due_at": _("没有适用于该问题来源和严重程度的期限规则,请填写整改期限。")})
    if policy.unit == Unit.STATED:
        raise TicketValidationError(
            {"due_at": _("%(source)s须按来文载明的期限填写整改期限。") % {"source": ticket.get_source_display()}}
        )
    start = ticket.received_on if policy.count_from == CountFrom.RECEIVED else assigned_on
    calendar = WorkingCalendar()
    if policy.unit == Unit.WORKING_DAYS:
        day = calendar.add_working_days(start, policy.amount)
    else:
        if policy.unit == Unit.MONTHS:
            day = add_months(start, policy.amount)
        else:
            day = start + dt.timedelta(days=policy.amount)
        day = _on_working_day(day, policy.on_non_working_day, calendar)
    return Deadline(as_deadline(day).astimezone(dt.UTC), POLICY_PREFIX + policy.code, calendar.provisional)


def default_deadline(ticket, assigned_at=None):
    """The policy's deadline for a ticket assigned at ``assigned_at`` (default: now)."""
    return compute_deadline(ticket, office_date(assigned_at or timezone.now()))


def resolve_deadline(*, ticket, due_at=None, assigned_at=None):
    """The date the office typed (rule "manual"), or the policy's when it left the field empty."""
    if due_at not in (None, ""):
        return Deadline(as_deadline(due_at).astimezone(dt.UTC), RULE_MANUAL, False)
    return default_deadline(ticket, assigned_at)


def rule_label(rule):
    """What to show for Ticket.deadline_rule."""
    if not rule or rule == RULE_MANUAL:
        return _("河长办指定")
    if rule == RULE_EXTENSION:
        return _("批准延期")
    policy = policy_from_rule(rule)
    return policy.describe() if policy else rule
