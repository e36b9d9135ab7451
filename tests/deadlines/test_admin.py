import datetime as dt

import pytest
from django.urls import reverse

from deadlines.models import EscalationStep, TicketClock
from tests.factories import UserFactory

from .conftest import assign, end_of, local


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    ["calendaryear", "deadlinepolicy", "reminderstep", "escalationstep", "ticketclock", "firedalert",
     "extensionrequest", "suspension"],
)
def test_the_office_tables_open(admin_client, clock, office, chief, segment, model):
    assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 11))
    assert admin_client.get(reverse(f"admin:deadlines_{model}_changelist")).status_code == 200


def test_the_clock_list_warns_about_provisional_deadlines(admin_client, clock, office, chief, segment):
    clock.set(local(2026, 12, 21, 10))
    # A session opened on the fixture's date would have expired by now.
    admin_client.force_login(UserFactory(username="admin"))
    assign(office=office, chief=chief, segment=segment, source="patrol_finding", severity="serious")
    response = admin_client.get(reverse("admin:deadlines_ticketclock_changelist") + "?provisional=1")
    assert response.status_code == 200, response
    text = response.content.decode()
    assert "2027 年的放假安排尚未录入" in text
    assert response.context["cl"].result_count == 1


def test_changing_the_ladder_moves_every_clock(admin_client, clock, office, chief, segment):
    ticket = assign(office=office, chief=chief, segment=segment, due_at=dt.date(2026, 11, 3))
    clock.set(local(2026, 11, 4, 9))
    from deadlines.sweep import run_sweep

    run_sweep()
    # Level 2 was due Nov 10 (5 working days); the office makes it 2 working days.
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at == end_of(2026, 11, 10)
    step = EscalationStep.objects.get(level=2)
    response = admin_client.post(reverse("admin:deadlines_escalationstep_change", args=[step.pk]), {
        "level": "2", "working_days_after": "2", "notify_chief": "on", "notify_county_chief": "on",
        "notify_office_head": "on",
    })
    assert response.status_code == 302
    assert TicketClock.objects.get(pk=ticket.pk).next_fire_at == end_of(2026, 11, 5)
