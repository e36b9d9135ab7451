"""Whatever anyone tries, in any order, a ticket's state is the one its audit events explain.

Each example builds its own people and ticket (hypothesis' Django TestCase wraps every example in
its own transaction), then plays a random list of (action, actor) pairs through the services.
"""

import datetime as dt

from django.utils import timezone
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import AppointmentFactory, SegmentFactory, UserFactory, open_ticket, png_upload
from tickets import services
from tickets.errors import TicketError
from tickets.models import AreaLevel, EventKind, Ticket, TicketEvent, TicketState

S = TicketState

# Every state-changing event and the move it stands for.
MOVES = {
    EventKind.CREATED: {("", S.REPORTED)},
    EventKind.ASSIGNED: {(S.REPORTED, S.ASSIGNED)},
    EventKind.STARTED: {(S.ASSIGNED, S.RECTIFYING)},
    EventKind.SUBMITTED: {(S.RECTIFYING, S.SUBMITTED)},
    EventKind.REJECTED: {(S.SUBMITTED, S.RECTIFYING)},
    EventKind.VERIFIED: {(S.SUBMITTED, S.VERIFIED)},
    EventKind.CLOSED: {(S.VERIFIED, S.CLOSED)},
    EventKind.CANCELLED: {(S.REPORTED, S.CANCELLED), (S.ASSIGNED, S.CANCELLED)},
    EventKind.REOPENED: {(S.CLOSED, S.RECTIFYING)},
}


def due(days):
    return timezone.localdate() + dt.timedelta(days=days)


def _other_chief(ticket, p):
    return p["deputy"] if ticket.responsible_chief_id == p["chief"].pk else p["chief"]


ACTIONS = {
    "assign": lambda t, a, p: services.ticket_assign(ticket=t, actor=a, chief=p["chief"], due_at=due(10)),
    "start": lambda t, a, p: services.ticket_start(ticket=t, actor=a),
    "photo": lambda t, a, p: services.attachment_add(ticket=t, actor=a, upload=png_upload(), kind="after"),
    "submit": lambda t, a, p: services.ticket_submit(ticket=t, actor=a, measures="已整改"),
    "reject": lambda t, a, p: services.ticket_reject(ticket=t, actor=a, reason="不合格"),
    "verify": lambda t, a, p: services.ticket_verify(ticket=t, actor=a),
    "close": lambda t, a, p: services.ticket_close(ticket=t, actor=a),
    "cancel": lambda t, a, p: services.ticket_cancel(ticket=t, actor=a, reason="重复上报"),
    "reopen": lambda t, a, p: services.ticket_reopen(ticket=t, actor=a, reason="问题反弹"),
    "reassign": lambda t, a, p: services.ticket_reassign(ticket=t, actor=a, chief=_other_chief(t, p), reason="改派"),
    "deadline": lambda t, a, p: services.ticket_change_deadline(ticket=t, actor=a, due_at=due(20), reason="延期"),
    "comment": lambda t, a, p: services.ticket_comment(ticket=t, actor=a, text="备注"),
}
ACTORS = ["office", "verifier", "chief", "deputy", "outsider", "supervisor"]

# Purely random steps rarely get past "assigned"; "advance" (the next step of the happy path, by the
# person whose step it is) is drawn often enough that examples reach verification, closing and reopening,
# while the random steps around it try everything else from every state.
NEXT_STEP = {
    S.REPORTED: ("assign", "office"),
    S.ASSIGNED: ("start", "responsible"),
    S.RECTIFYING: ("submit", "responsible"),
    S.SUBMITTED: ("verify", "verifier"),
    S.VERIFIED: ("close", "office"),
    S.CLOSED: ("reopen", "office"),
    S.CANCELLED: ("comment", "supervisor"),
}

steps = st.lists(
    st.one_of(
        st.just(("advance", None)),
        st.tuples(st.sampled_from(sorted(ACTIONS)), st.sampled_from(ACTORS)),
    ),
    max_size=20,
)


def resolve(step, ticket, people):
    """The (action, user) a step stands for, on the ticket as it is now."""
    action, actor = step
    if action == "advance":
        action, actor = NEXT_STEP[ticket.state]
        if action == "submit" and not ticket.attachments.filter(kind="after").exists():
            action = "photo"
    if actor == "responsible":
        return action, ticket.responsible_chief
    return action, people[actor]


def make_people():
    segment = SegmentFactory()
    # The township chief is also a verifier: when they rectified, they must not verify their own work.
    deputy = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__roles=["chief", "verifier"])
    people = {
        "office": UserFactory(roles=["office"]),
        "verifier": UserFactory(roles=["verifier"]),
        "chief": AppointmentFactory(segment=segment).chief,
        "deputy": deputy.chief,
        "outsider": AppointmentFactory().chief,
        "supervisor": UserFactory(roles=["social_supervisor"]),
    }
    return segment, people


def state_events(ticket):
    return [e for e in TicketEvent.objects.filter(ticket=ticket).order_by("seq") if e.to_state]


class TestStateMachineProperty(TestCase):
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=steps)
    def test_random_actions_never_leave_a_state_the_events_do_not_explain(self, steps):
        segment, people = make_people()
        ticket = open_ticket(reporter=people["supervisor"], segment=segment)

        for step in steps:
            before = Ticket.objects.get(pk=ticket.pk)
            action, user = resolve(step, before, people)
            events_before = TicketEvent.objects.filter(ticket=ticket).count()
            try:
                ACTIONS[action](ticket, user, people)
            except TicketError:
                # A refused action changes nothing and writes nothing. Any other exception fails the test.
                after = Ticket.objects.get(pk=ticket.pk)
                assert (after.state, after.rejection_count) == (before.state, before.rejection_count)
                assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
            else:
                assert TicketEvent.objects.filter(ticket=ticket).count() == events_before + 1

        ticket = Ticket.objects.get(pk=ticket.pk)
        events = state_events(ticket)
        target(float(len(events)), label="state changes")

        replayed = ""
        for event in events:
            assert event.from_state == replayed, f"event #{event.seq} starts from {event.from_state!r}"
            assert (event.from_state, event.to_state) in MOVES[event.kind]
            replayed = event.to_state
        assert replayed == ticket.state
        assert ticket.rejection_count == sum(e.kind == EventKind.REJECTED for e in events)
        # The chief who rectified is never the one who passed the work.
        verifications = [e for e in events if e.kind == EventKind.VERIFIED]
        for verified in verifications:
            submitted = [e for e in events if e.kind == EventKind.SUBMITTED and e.seq < verified.seq][-1]
            assert verified.actor_id != submitted.actor_id
