import datetime as dt
import zoneinfo

import pytest

from deadlines.defaults import seed
from deadlines.models import DeadlinePolicy, EscalationStep, ReminderStep
from deadlines.policies import resolve_deadline
from tests.factories import AppointmentFactory, UserFactory, open_ticket
from tickets import services
from tickets.models import AreaLevel

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour=0, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def end_of(year, month, day):
    return local(year, month, day, 23, 59, 59)


class Clock:
    """A controllable timezone.now(): tests set or advance it."""

    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at.astimezone(dt.UTC)

    def set(self, at):
        self.at = at

    def advance(self, **delta):
        self.at = self.at + dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    # Monday 2 November 2026, 10:00 in the office: no holiday for weeks either side.
    clock = Clock(local(2026, 11, 2, 10))
    monkeypatch.setattr("django.utils.timezone.now", clock)
    return clock


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories hash a password per user; the production hasher would dominate these tests' time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def deadline_defaults(db):
    # The data migration's rows are gone after a transactional test empties the tables: seed again.
    seed(DeadlinePolicy, ReminderStep, EscalationStep)


@pytest.fixture
def ladder_people(segment, chief):
    """The chief (village) and everyone above on the same segment, plus the office head and general chief."""
    township = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="township").chief
    county = AppointmentFactory(segment=segment, level=AreaLevel.COUNTY, chief__username="county").chief
    return {
        "chief": chief,
        "township": township,
        "county": county,
        "office_head": UserFactory(username="office_head", roles=["office", "office_head"]),
        "general_chief": UserFactory(username="general_chief", roles=["general_chief"]),
    }


def assign(*, office, chief, segment, due_at=None, **ticket_fields):
    """Open and assign a ticket the way the flow does: the typed date, or the policy's when none."""
    ticket = open_ticket(reporter=office, segment=segment, **ticket_fields)
    deadline = resolve_deadline(ticket=ticket, due_at=due_at)
    return services.ticket_assign(
        ticket=ticket, actor=office, chief=chief, due_at=deadline.due_at,
        deadline_rule=deadline.rule, deadline_provisional=deadline.provisional,
    )


def kinds(ticket, *wanted):
    from tickets.models import TicketEvent

    events = TicketEvent.objects.filter(ticket=ticket).order_by("seq")
    return [(e.kind, e.payload) for e in events if not wanted or e.kind in wanted]
