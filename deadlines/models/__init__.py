from .calendar import CalendarDay, CalendarYear
from .clock import AlertKind, FiredAlert, TicketClock
from .ladder import EscalationStep, ReminderStep
from .policies import CountFrom, DeadlinePolicy, NonWorkingDayRule, Unit
from .requests import ExtensionRequest, ExtensionStatus, Suspension

__all__ = [
    "AlertKind",
    "CalendarDay",
    "CalendarYear",
    "CountFrom",
    "DeadlinePolicy",
    "EscalationStep",
    "ExtensionRequest",
    "ExtensionStatus",
    "FiredAlert",
    "NonWorkingDayRule",
    "ReminderStep",
    "Suspension",
    "TicketClock",
    "Unit",
]
