"""tickets.selectors: who holds which post on which day, who sees which ticket, and cheap histories."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AppointmentFactory, SegmentFactory, UserFactory, open_ticket, ticket_in_state
from tickets import rules, services
from tickets.models import AreaLevel, EventKind, Ticket, TicketState
from tickets.selectors import (
    chief_appointment,
    chief_superior,
    responsible_chief,
    ticket_history,
    ticket_list,
    tickets_visible_to,
)

pytestmark = pytest.mark.django_db

VILLAGE, TOWNSHIP, COUNTY = AreaLevel.VILLAGE, AreaLevel.TOWNSHIP, AreaLevel.COUNTY
D = dt.date
LONG_AGO = D(2020, 1, 1)


def days_from_today(days):
    return timezone.localdate() + dt.timedelta(days=days)


def appoint(segment, level, start=LONG_AGO, end=None, chief=None):
    extra = {"chief": chief} if chief else {}
    return AppointmentFactory(segment=segment, level=level, start_date=start, end_date=end, **extra)


class TestChiefAppointment:
    def test_the_current_appointment(self, segment):
        appointment = appoint(segment, VILLAGE)
        assert chief_appointment(chief=appointment.chief, segment=segment) == appointment

    def test_none_on_a_segment_they_do_not_hold(self, segment):
        elsewhere = appoint(SegmentFactory(), VILLAGE)
        assert chief_appointment(chief=elsewhere.chief, segment=segment) is None

    def test_the_most_local_level_when_they_hold_several(self, segment):
        county = appoint(segment, COUNTY)
        village = appoint(segment, VILLAGE, chief=county.chief)
        appoint(segment, TOWNSHIP, chief=county.chief)
        assert chief_appointment(chief=county.chief, segment=segment).pk == village.pk

    def test_dates_are_respected_so_history_survives_a_handover(self, segment):
        old = appoint(segment, VILLAGE, start=D(2020, 1, 1), end=D(2023, 6, 30))
        new = appoint(segment, VILLAGE, start=D(2023, 7, 1))
        assert chief_appointment(chief=old.chief, segment=segment, on=D(2022, 5, 1)) == old
        assert chief_appointment(chief=old.chief, segment=segment, on=D(2023, 6, 30)) == old
        assert chief_appointment(chief=old.chief, segment=segment, on=D(2023, 7, 1)) is None
        assert chief_appointment(chief=old.chief, segment=segment) is None
        assert chief_appointment(chief=new.chief, segment=segment, on=D(2023, 6, 30)) is None
        assert chief_appointment(chief=new.chief, segment=segment) == new

    def test_an_appointment_that_has_not_started_does_not_count(self, segment):
        future = appoint(segment, VILLAGE, start=days_from_today(3))
        assert chief_appointment(chief=future.chief, segment=segment) is None


class TestResponsibleChief:
    def test_who_holds_the_post(self, segment):
        village, township = appoint(segment, VILLAGE), appoint(segment, TOWNSHIP)
        assert responsible_chief(segment=segment, level=VILLAGE) == village.chief
        assert responsible_chief(segment=segment, level=TOWNSHIP) == township.chief

    def test_a_vacant_post_is_none(self, segment):
        appoint(segment, VILLAGE, end=D(2021, 1, 1))
        assert responsible_chief(segment=segment, level=VILLAGE) is None
        assert responsible_chief(segment=segment, level=COUNTY) is None

    def test_handover(self, segment):
        old = appoint(segment, VILLAGE, start=D(2020, 1, 1), end=D(2024, 3, 1))
        new = appoint(segment, VILLAGE, start=D(2024, 3, 1))
        assert responsible_chief(segment=segment, level=VILLAGE, on=D(2024, 2, 29)) == old.chief
        # On the handover day both appointments cover the date: the newer one holds the post.
        assert responsible_chief(segment=segment, level=VILLAGE, on=D(2024, 3, 1)) == new.chief
        assert responsible_chief(segment=segment, level=VILLAGE) == new.chief
        assert responsible_chief(segment=segment, level=VILLAGE, on=D(2019, 12, 31)) is None


class TestChiefSuperior:
    def test_the_ladder_goes_village_township_county(self, segment):
        township, county = appoint(segment, TOWNSHIP), appoint(segment, COUNTY)
        appoint(segment, VILLAGE)
        assert chief_superior(segment=segment, level=VILLAGE) == (township.chief, TOWNSHIP)
        assert chief_superior(segment=segment, level=TOWNSHIP) == (county.chief, COUNTY)

    def test_the_top_has_no_superior(self, segment):
        appoint(segment, COUNTY)
        assert chief_superior(segment=segment, level=COUNTY) == (None, None)

    def test_a_vacant_post_is_skipped(self, segment):
        appoint(segment, TOWNSHIP, end=D(2022, 12, 31))  # left, nobody appointed since
        county = appoint(segment, COUNTY)
        assert chief_superior(segment=segment, level=VILLAGE) == (county.chief, COUNTY)

    def test_every_post_above_vacant(self, segment):
        appoint(segment, VILLAGE)
        assert chief_superior(segment=segment, level=VILLAGE) == (None, None)

    def test_the_date_decides_after_a_handover(self, segment):
        old = appoint(segment, TOWNSHIP, start=D(2020, 1, 1), end=D(2024, 12, 31))
        new = appoint(segment, TOWNSHIP, start=D(2025, 1, 1))
        county = appoint(segment, COUNTY, start=D(2024, 6, 1))
        assert chief_superior(segment=segment, level=VILLAGE, on=D(2024, 1, 1)) == (old.chief, TOWNSHIP)
        assert chief_superior(segment=segment, level=VILLAGE, on=D(2025, 1, 1)) == (new.chief, TOWNSHIP)
        assert chief_superior(segment=segment, level=TOWNSHIP, on=D(2024, 1, 1)) == (None, None)
        assert chief_superior(segment=segment, level=TOWNSHIP) == (county.chief, COUNTY)

    def test_another_segment_posts_do_not_count(self, segment):
        appoint(SegmentFactory(), TOWNSHIP)
        assert chief_superior(segment=segment, level=VILLAGE) == (None, None)


@pytest.fixture
def world(office):
    """Two segments and the people around them, with one ticket per situation worth telling apart."""
    seg_a, seg_b, seg_c = SegmentFactory(), SegmentFactory(), SegmentFactory()
    chief_a = appoint(seg_a, VILLAGE).chief
    chief_b = appoint(seg_b, VILLAGE).chief
    township = appoint(seg_a, TOWNSHIP).chief
    appoint(seg_b, TOWNSHIP, chief=township)
    # chief_a held seg_c when a ticket there was assigned to them, and has since handed it over.
    handover = appoint(seg_c, VILLAGE, chief=chief_a, start=D(2020, 1, 1))
    successor = UserFactory(roles=["chief"])
    sup1, sup2 = UserFactory(roles=["social_supervisor"]), UserFactory(roles=["congress_supervisor"])
    tickets = {
        "a_by_sup1": open_ticket(reporter=sup1, segment=seg_a),
        "b_by_sup2": open_ticket(reporter=sup2, segment=seg_b),
        "b_assigned": ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief_b, segment=seg_b),
        "c_assigned_to_a": ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief_a, segment=seg_c),
        "c_other": open_ticket(reporter=office, segment=seg_c),
    }
    ChiefAppointmentModel = type(handover)
    ChiefAppointmentModel.objects.filter(pk=handover.pk).update(end_date=days_from_today(-1))
    appoint(seg_c, VILLAGE, chief=successor, start=days_from_today(0))
    people = {
        "office": office, "verifier": UserFactory(roles=["verifier"]), "chief_a": chief_a, "chief_b": chief_b,
        "township": township, "successor": successor, "sup1": sup1, "sup2": sup2,
        "nobody": UserFactory(roles=[]),
    }
    return people, tickets


VISIBLE = {
    "office": {"a_by_sup1", "b_by_sup2", "b_assigned", "c_assigned_to_a", "c_other"},
    "verifier": {"a_by_sup1", "b_by_sup2", "b_assigned", "c_assigned_to_a", "c_other"},
    "chief_a": {"a_by_sup1", "c_assigned_to_a"},
    "chief_b": {"b_by_sup2", "b_assigned"},
    "township": {"a_by_sup1", "b_by_sup2", "b_assigned"},
    "successor": {"c_assigned_to_a", "c_other"},
    "sup1": {"a_by_sup1"},
    "sup2": {"b_by_sup2"},
    "nobody": set(),
}


@pytest.mark.parametrize("who", list(VISIBLE))
def test_tickets_visible_to(world, who):
    people, tickets = world
    names = {pk: name for name, pk in ((n, t.pk) for n, t in tickets.items())}
    visible = {names[pk] for pk in tickets_visible_to(people[who]).values_list("pk", flat=True)}
    assert visible == VISIBLE[who]


@pytest.mark.parametrize("who", list(VISIBLE))
def test_the_selector_agrees_with_the_rule_ticket_by_ticket(world, who):
    people, tickets = world
    user = type(people[who]).objects.get(pk=people[who].pk)
    visible = set(tickets_visible_to(user).values_list("pk", flat=True))
    for ticket in Ticket.objects.all():
        assert rules.may_view(ticket, user) == (ticket.pk in visible), ticket


def test_anonymous_sees_nothing(world):
    assert not tickets_visible_to(AnonymousUser()).exists()
    assert not tickets_visible_to(None).exists()


def test_the_selector_narrows_a_given_queryset(world):
    people, tickets = world
    reported = Ticket.objects.filter(state=TicketState.REPORTED)
    assert set(tickets_visible_to(people["township"], reported)) == {tickets["a_by_sup1"], tickets["b_by_sup2"]}


def test_a_handover_entered_ahead_of_its_date(office, segment):
    outgoing = appoint(segment, VILLAGE, start=D(2020, 1, 1), end=days_from_today(5))
    incoming = appoint(segment, VILLAGE, start=days_from_today(6))
    ticket = open_ticket(reporter=office, segment=segment)
    assert list(tickets_visible_to(outgoing.chief)) == [ticket]
    assert rules.may_view(ticket, outgoing.chief)
    assert not tickets_visible_to(incoming.chief).exists()
    assert not rules.may_view(ticket, incoming.chief)


class TestTicketHistory:
    def build(self, office, chief, segment, comments):
        ticket = ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
        for n in range(comments):
            services.ticket_comment(ticket=ticket, actor=office if n % 2 else chief, text=f"备注{n}")
        with transaction.atomic():
            services.record_event(ticket=ticket, kind=EventKind.REMINDED)  # the system: no actor
        return Ticket.objects.get(pk=ticket.pk)

    @pytest.mark.parametrize("comments", [0, 3, 30])
    def test_one_query_whatever_the_length(self, office, chief, segment, comments, django_assert_num_queries):
        ticket = self.build(office, chief, segment, comments)
        with django_assert_num_queries(1):
            history = ticket_history(ticket=ticket)
            actors = [event.actor.username if event.actor else None for event in history]
        assert len(history) == 4 + comments
        assert [e.seq for e in history] == list(range(1, len(history) + 1))
        assert history[0].kind == EventKind.CREATED
        assert actors[0] == "office"
        assert actors[-1] is None

    def test_only_this_ticket_events(self, office, chief, segment):
        mine = self.build(office, chief, segment, 1)
        self.build(office, chief, segment, 2)
        assert {e.ticket_id for e in ticket_history(ticket=mine)} == {mine.pk}


def test_ticket_list_costs_the_same_for_two_or_twenty_tickets(office, chief, segment):
    def cost(viewer):
        viewer = type(viewer).objects.get(pk=viewer.pk)  # no cached roles
        with CaptureQueriesContext(connection) as queries:
            rows = [(t.number, t.segment.river.name, t.segment.area.name, t.reporter.username,
                     t.responsible_chief and t.responsible_chief.username) for t in ticket_list(viewer=viewer)]
        return len(queries), len(rows)

    ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    open_ticket(reporter=office, segment=segment)
    few = {who: cost(who) for who in (office, chief)}
    for _ in range(9):
        ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
        open_ticket(reporter=office, segment=SegmentFactory())
    many = {who: cost(who) for who in (office, chief)}
    assert [n for n, _rows in few.values()] == [n for n, _rows in many.values()]
    assert many[office][1] == 20
