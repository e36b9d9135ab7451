"""What the notification receiver caches per process: fresh after an edit here, and after TTL for edits elsewhere."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from config import process_cache
from notifications import caches
from notifications.models import AreaWebhook, Delivery, DeliveryChannel, Notification, WebhookKind
from notifications.recipients import GROUP_MEMBERS
from tests.factories import UserFactory, open_ticket, ticket_in_state
from tests.notifications.conftest import ensure_default_rules
from tests.racing import race
from tickets.models import EventKind, TicketState


class Monotonic:
    """The clock the caches read, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(process_cache.time, "monotonic", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def monotonic(monkeypatch):
    return Monotonic(monkeypatch)


def office_told(ticket):
    """Who of the office heard that the ticket was reported."""
    return set(
        Notification.objects.filter(ticket=ticket, kind=EventKind.CREATED).values_list("recipient__username", flat=True)
    )


def test_group_membership_edited_in_this_process_applies_at_once(office, supervisor, segment):
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office"}  # the cache is warm
    newcomer = UserFactory(username="newcomer")
    newcomer.groups.add(Group.objects.get(name="office"))
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office", "newcomer"}

    newcomer.is_active = False
    newcomer.save(update_fields=["is_active"])
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office"}

    office.groups.clear()
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == set()


def test_a_renamed_or_deleted_group_applies_at_once(office, supervisor, segment):
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office"}
    group = Group.objects.get(name="office")
    group.name = "former office"
    group.save(update_fields=["name"])
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == set()
    group.name = "office"
    group.save(update_fields=["name"])
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office"}
    group.delete()
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == set()


def test_an_edit_in_another_process_applies_after_the_ttl(office, supervisor, segment, monotonic):
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office"}
    # A queryset update sends no signal: what another process's edit looks like from here.
    type(office).objects.filter(pk=office.pk).update(is_active=False)
    monotonic.advance(caches.TTL - 1)
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office"}
    monotonic.advance(2)
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == set()


def test_area_robots_edited_here_apply_at_once_and_elsewhere_after_the_ttl(
    office, chief, segment, make_endpoint, monotonic
):
    def robots_told(ticket):
        rows = Delivery.objects.filter(event__ticket=ticket, channel=DeliveryChannel.WEBHOOK)
        return list(rows.order_by("pk").values_list("endpoint", flat=True))

    def assigned():
        return ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)

    assert robots_told(assigned()) == []  # the cache is warm, and empty
    first = make_endpoint(WebhookKind.WECOM, path="/first")
    link = AreaWebhook.objects.create(area=segment.area, endpoint=first)
    second = make_endpoint(WebhookKind.DINGTALK, path="/second")
    AreaWebhook.objects.create(area=segment.area, endpoint=second)
    assert robots_told(assigned()) == [first.pk, second.pk]

    first.is_active = False
    first.save(update_fields=["is_active"])
    assert robots_told(assigned()) == [second.pk]
    link.delete()
    first.is_active = True
    first.save(update_fields=["is_active"])
    assert robots_told(assigned()) == [second.pk]

    AreaWebhook.objects.filter(endpoint=second).update(is_active=False)  # another process's edit
    assert robots_told(assigned()) == [second.pk]
    monotonic.advance(caches.TTL + 1)
    assert robots_told(assigned()) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_edit_is_forgotten_again_when_its_transaction_commits(office, supervisor, segment):
    ensure_default_rules()
    newcomer = UserFactory(username="newcomer")

    def read_in_another_thread():
        return [user.username for user in GROUP_MEMBERS.get()["office"]]

    with transaction.atomic():
        newcomer.groups.add(Group.objects.get(name="office"))
        # Before the commit, another thread reads (and caches) the members it can see: the old ones.
        assert race(read_in_another_thread) == [["office"]]
    # The commit cleared that.
    assert office_told(open_ticket(reporter=supervisor, segment=segment)) == {"office", "newcomer"}
