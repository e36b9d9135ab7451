"""`manage.py load_demo`: loads a consistent demo, and a second run changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from tickets.models import Ticket, TicketEvent, TicketState
from tickets.rules import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def role_groups(db):
    # Migrations create these; a transactional test elsewhere may have flushed them.
    for role in Role:
        Group.objects.get_or_create(name=role)


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    }


def run(command):
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_a_second_run_creates_nothing(role_groups):
    first_output = run("load_demo")
    after_first = row_counts()
    events_after_first = list(TicketEvent.objects.order_by("pk").values_list("pk", "hash"))

    second_output = run("load_demo")

    assert "5 new tickets" in first_output
    assert "0 new tickets" in second_output
    assert row_counts() == after_first
    assert list(TicketEvent.objects.order_by("pk").values_list("pk", "hash")) == events_after_first
    assert "audit trail intact" in run("verify_audit")


def test_the_demo_tickets_are_in_the_states_the_story_tells(role_groups):
    run("load_demo")
    states = dict(Ticket.objects.values_list("source_reference", "state"))
    assert states == {
        "某检行建〔2026〕3号": TicketState.CLOSED,
        "省河长办督〔2026〕17号": TicketState.SUBMITTED,
        "XH-沙河-堤岸坍塌": TicketState.RECTIFYING,
        "JD-2026-柳河-01": TicketState.REPORTED,
        "JD-2026-南排洪渠-02": TicketState.ASSIGNED,
    }
    counts = row_counts()
    assert TicketEvent.objects.filter(kind="created").count() == 5
    assert counts["tickets.Segment"] == 8
    assert counts["tickets.ChiefAppointment"] == 16
