"""tickets.services.transitions: every legal move, and every illegal one refused with a domain error.

The matrices below read as tables: (state the ticket is in, action, who acts) and what must follow.
"""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import AppointmentFactory, UserFactory, open_ticket, png_upload, ticket_in_state
from tickets import services
from tickets.errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError
from tickets.models import AreaLevel, EventKind, Ticket, TicketEvent, TicketState
from tickets.services.transitions import locked_ticket

pytestmark = pytest.mark.django_db

S = TicketState
ALL_STATES = [S.REPORTED, S.ASSIGNED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED, S.CLOSED, S.CANCELLED]


def in_days(days):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def people(office, verifier, chief, segment, supervisor, other_chief):
    """Everyone who might act. ``deputy`` is the township chief of the same segment."""
    deputy = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="deputy").chief
    return {
        "office": office, "verifier": verifier, "chief": chief, "deputy": deputy,
        "other_chief": other_chief, "supervisor": supervisor,
    }


@pytest.fixture
def make(people, segment):
    """make(state): a new ticket, reported by the supervisor, driven to ``state`` through the services.

    "cancelled" is cancelled after assignment, so it has a responsible chief who could try to act on it.
    """

    def build(state):
        if state == S.CANCELLED:
            ticket = build(S.ASSIGNED)
            return services.ticket_cancel(ticket=ticket, actor=people["office"], reason="不属实")
        return ticket_in_state(
            state, office=people["office"], chief=people["chief"], segment=segment,
            reporter=people["supervisor"], verifier=people["verifier"],
        )

    return build


def add_after_photo(ticket, actor):
    services.attachment_add(ticket=ticket, actor=actor, upload=png_upload("after.png"), kind="after")


ACTIONS = {
    "assign": lambda t, actor, p: services.ticket_assign(
        ticket=t, actor=actor, chief=p["chief"], due_at=in_days(10), instructions="限期清理"
    ),
    "start": lambda t, actor, p: services.ticket_start(ticket=t, actor=actor),
    "submit": lambda t, actor, p: services.ticket_submit(ticket=t, actor=actor, measures="已清理垃圾 2 吨"),
    "reject": lambda t, actor, p: services.ticket_reject(ticket=t, actor=actor, reason="现场仍有垃圾"),
    "verify": lambda t, actor, p: services.ticket_verify(ticket=t, actor=actor, comment="已核查"),
    "close": lambda t, actor, p: services.ticket_close(ticket=t, actor=actor, comment="销号"),
    "cancel": lambda t, actor, p: services.ticket_cancel(ticket=t, actor=actor, reason="重复上报"),
    "reopen": lambda t, actor, p: services.ticket_reopen(ticket=t, actor=actor, reason="群众再次举报"),
}

# action: (states it starts from, state it ends in, event it writes)
LEGAL = {
    "assign": ({S.REPORTED}, S.ASSIGNED, EventKind.ASSIGNED),
    "start": ({S.ASSIGNED}, S.RECTIFYING, EventKind.STARTED),
    "submit": ({S.RECTIFYING}, S.SUBMITTED, EventKind.SUBMITTED),
    "reject": ({S.SUBMITTED}, S.RECTIFYING, EventKind.REJECTED),
    "verify": ({S.SUBMITTED}, S.VERIFIED, EventKind.VERIFIED),
    "close": ({S.VERIFIED}, S.CLOSED, EventKind.CLOSED),
    "cancel": ({S.REPORTED, S.ASSIGNED}, S.CANCELLED, EventKind.CANCELLED),
    "reopen": ({S.CLOSED}, S.RECTIFYING, EventKind.REOPENED),
}
# Who is allowed to take each action (one of them is enough for the state matrix).
ALLOWED_ACTOR = {
    "assign": "office", "start": "chief", "submit": "chief", "reject": "verifier",
    "verify": "verifier", "close": "office", "cancel": "office", "reopen": "office",
}


def reload(ticket):
    # The state field is protected: refresh_from_db() would try to assign it.
    return Ticket.objects.get(pk=ticket.pk)


def event_count(ticket):
    return TicketEvent.objects.filter(ticket=ticket).count()


def last_event(ticket):
    return TicketEvent.objects.filter(ticket=ticket).order_by("-seq").first()


LEGAL_CASES = [
    (S.REPORTED, "assign", "office", S.ASSIGNED),
    (S.ASSIGNED, "start", "chief", S.RECTIFYING),
    (S.RECTIFYING, "submit", "chief", S.SUBMITTED),
    (S.SUBMITTED, "reject", "verifier", S.RECTIFYING),
    (S.SUBMITTED, "reject", "office", S.RECTIFYING),
    (S.SUBMITTED, "verify", "verifier", S.VERIFIED),
    (S.SUBMITTED, "verify", "office", S.VERIFIED),
    (S.VERIFIED, "close", "office", S.CLOSED),
    (S.REPORTED, "cancel", "office", S.CANCELLED),
    (S.ASSIGNED, "cancel", "office", S.CANCELLED),
    (S.CLOSED, "reopen", "office", S.RECTIFYING),
]


@pytest.mark.parametrize(("state", "action", "actor", "target"), LEGAL_CASES)
def test_legal_transition(make, people, state, action, actor, target):
    ticket = make(state)
    if action == "submit":
        add_after_photo(ticket, people["chief"])
    before = event_count(ticket)

    result = ACTIONS[action](ticket, people[actor], people)

    assert result.state == target
    assert reload(ticket).state == target
    assert event_count(ticket) == before + 1
    event = last_event(ticket)
    assert (event.kind, event.actor, event.from_state, event.to_state) == (
        LEGAL[action][2], people[actor], state, target,
    )


WRONG_STATE_CASES = [
    (state, action)
    for action, (sources, _target, _event) in LEGAL.items()
    for state in ALL_STATES
    if state not in sources
    # Nobody is responsible for a reported ticket yet, so the chief is refused as the wrong person.
    and not (state == S.REPORTED and ALLOWED_ACTOR[action] == "chief")
]


@pytest.mark.parametrize(("state", "action"), WRONG_STATE_CASES)
def test_wrong_state_is_a_state_conflict(make, people, state, action):
    ticket = make(state)
    before = event_count(ticket)

    with pytest.raises(TicketStateConflict) as excinfo:
        ACTIONS[action](ticket, people[ALLOWED_ACTOR[action]], people)

    assert excinfo.value.current_state == state
    assert reload(ticket).state == state
    assert event_count(ticket) == before


@pytest.mark.parametrize("action", ["start", "submit"])
def test_a_chief_cannot_act_on_a_ticket_nobody_was_assigned(make, people, action):
    ticket = make(S.REPORTED)
    with pytest.raises(TicketPermissionDenied):
        ACTIONS[action](ticket, people["chief"], people)
    assert event_count(ticket) == 1


WRONG_ROLE_CASES = [
    (S.REPORTED, "assign", ["chief", "deputy", "verifier", "supervisor"]),
    (S.ASSIGNED, "start", ["office", "deputy", "verifier", "other_chief", "supervisor"]),
    (S.RECTIFYING, "submit", ["office", "deputy", "verifier", "other_chief", "supervisor"]),
    # The chief rectified it: they may not check their own work.
    (S.SUBMITTED, "verify", ["chief", "deputy", "other_chief", "supervisor"]),
    (S.SUBMITTED, "reject", ["chief", "deputy", "other_chief", "supervisor"]),
    (S.VERIFIED, "close", ["verifier", "chief", "deputy", "supervisor"]),
    (S.REPORTED, "cancel", ["verifier", "chief", "supervisor"]),
    (S.ASSIGNED, "cancel", ["verifier", "chief", "supervisor"]),
    (S.CLOSED, "reopen", ["verifier", "chief", "deputy", "supervisor"]),
]


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [(state, action, actor) for state, action, actors in WRONG_ROLE_CASES for actor in actors],
)
def test_wrong_role_is_permission_denied(make, people, state, action, actor):
    ticket = make(state)
    if action == "submit":
        add_after_photo(ticket, people["chief"])
    before = event_count(ticket)

    with pytest.raises(TicketPermissionDenied):
        ACTIONS[action](ticket, people[actor], people)

    assert reload(ticket).state == state
    assert event_count(ticket) == before


@pytest.mark.parametrize("action", ["verify", "reject"])
def test_the_rectifier_may_not_verify_even_with_office_and_verifier_roles(office, segment, action):
    chief = AppointmentFactory(segment=segment, chief__roles=["chief", "verifier", "office"]).chief
    ticket = ticket_in_state(S.SUBMITTED, office=office, chief=chief, segment=segment)
    assert reload(ticket).rectified_by == chief

    with pytest.raises(TicketPermissionDenied):
        ACTIONS[action](ticket, chief, {})
    assert reload(ticket).state == S.SUBMITTED


@pytest.mark.parametrize(("state", "action"), [(s, a) for a, (sources, _t, _e) in LEGAL.items() for s in sources])
def test_repeating_a_transition_is_a_conflict_and_writes_no_second_event(make, people, state, action):
    ticket = make(state)
    if action == "submit":
        add_after_photo(ticket, people["chief"])
    actor = people[ALLOWED_ACTOR[action]]
    kind = LEGAL[action][2]
    ACTIONS[action](ticket, actor, people)
    done = reload(ticket)
    before = event_count(ticket)

    # ``ticket`` is the stale object from before the first call, as a double-clicked form would send.
    with pytest.raises(TicketStateConflict) as excinfo:
        ACTIONS[action](ticket, actor, people)

    assert excinfo.value.current_state == done.state
    assert reload(ticket).state == done.state
    assert event_count(ticket) == before
    assert TicketEvent.objects.filter(ticket=ticket, kind=kind).count() == 1


class TestAssignPreconditions:
    def test_the_chief_must_be_appointed_on_the_ticket_segment(self, make, people):
        ticket = make(S.REPORTED)
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_assign(ticket=ticket, actor=people["office"], chief=people["other_chief"],
                                   due_at=in_days(10))
        assert "chief" in excinfo.value.errors
        assert reload(ticket).state == S.REPORTED

    @pytest.mark.parametrize(("start", "end"), [(-400, -1), (5, None)])
    def test_the_appointment_must_be_current(self, make, people, segment, start, end):
        today = timezone.localdate()
        appointment = AppointmentFactory(
            segment=segment, level=AreaLevel.COUNTY, start_date=today + dt.timedelta(days=start),
            end_date=None if end is None else today + dt.timedelta(days=end),
        )
        ticket = make(S.REPORTED)
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_assign(ticket=ticket, actor=people["office"], chief=appointment.chief,
                                   due_at=in_days(10))
        assert "chief" in excinfo.value.errors

    def test_the_level_is_the_chief_most_local_appointment(self, make, people, segment):
        # The township chief is also village chief of this segment: the village post is the one that acts.
        AppointmentFactory(segment=segment, level=AreaLevel.COUNTY, chief=people["deputy"])
        ticket = make(S.REPORTED)
        ticket = services.ticket_assign(ticket=ticket, actor=people["office"], chief=people["deputy"],
                                        due_at=in_days(3))
        assert reload(ticket).responsible_level == AreaLevel.TOWNSHIP
        assert last_event(ticket).payload["level"] == AreaLevel.TOWNSHIP

    @pytest.mark.parametrize(
        "due_at",
        [None, dt.date(2026, 5, 31), dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC),
         dt.datetime(2026, 6, 1, 9, 0), "2026-07-01"],
        ids=["missing", "yesterday", "now", "naive-local-past", "string"],
    )
    def test_the_due_date_must_be_in_the_future(self, make, people, due_at):
        ticket = make(S.REPORTED)
        with (
            mock.patch("django.utils.timezone.now", return_value=dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)),
            pytest.raises(TicketValidationError) as excinfo,
        ):
            services.ticket_assign(ticket=ticket, actor=people["office"], chief=people["chief"], due_at=due_at)
        assert "due_at" in excinfo.value.errors
        assert event_count(ticket) == 1

    def test_a_due_date_of_today_means_the_end_of_today_local_time(self, make, people):
        ticket = make(S.REPORTED)
        # 10:00 in Asia/Shanghai.
        with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)):
            services.ticket_assign(ticket=ticket, actor=people["office"], chief=people["chief"],
                                   due_at=dt.date(2026, 6, 1))
        # 23:59:59 in Asia/Shanghai is 15:59:59 UTC.
        assert reload(ticket).due_at == dt.datetime(2026, 6, 1, 15, 59, 59, tzinfo=dt.UTC)

    def test_assignment_fills_the_ticket(self, make, people):
        ticket = services.ticket_assign(ticket=make(S.REPORTED), actor=people["office"], chief=people["chief"],
                                        due_at=in_days(7), instructions="  一周内清理  ")
        ticket = reload(ticket)
        assert (ticket.responsible_chief, ticket.responsible_level, ticket.instructions) == (
            people["chief"], AreaLevel.VILLAGE, "一周内清理",
        )
        assert ticket.assigned_at is not None
        assert last_event(ticket).payload["chief"] == people["chief"].pk


class TestSubmitPreconditions:
    @pytest.mark.parametrize("measures", ["", "   ", None])
    def test_measures_are_required(self, make, people, measures):
        ticket = make(S.RECTIFYING)
        add_after_photo(ticket, people["chief"])
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_submit(ticket=ticket, actor=people["chief"], measures=measures)
        assert "measures" in excinfo.value.errors
        assert reload(ticket).state == S.RECTIFYING

    @pytest.mark.parametrize("photos", [[], ["before"], ["verification"]])
    def test_an_after_photo_is_required(self, make, people, photos):
        ticket = make(S.RECTIFYING)
        for kind in photos:
            services.attachment_add(ticket=ticket, actor=people["office"], upload=png_upload(), kind=kind)
        before = event_count(ticket)
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_submit(ticket=ticket, actor=people["chief"], measures="已清理")
        assert "attachments" in excinfo.value.errors
        assert reload(ticket).state == S.RECTIFYING
        assert event_count(ticket) == before

    def test_submission_records_who_rectified(self, make, people):
        ticket = make(S.RECTIFYING)
        add_after_photo(ticket, people["chief"])
        services.ticket_submit(ticket=ticket, actor=people["chief"], measures="  清理完毕 ")
        ticket = reload(ticket)
        assert (ticket.measures, ticket.rectified_by) == ("清理完毕", people["chief"])
        assert ticket.submitted_at is not None


class TestVerifyRejectClose:
    def test_each_rejection_is_counted_and_the_chief_submits_again_with_new_photos(self, make, people):
        ticket = make(S.SUBMITTED)
        for round_ in (1, 2):
            services.ticket_reject(ticket=ticket, actor=people["verifier"], reason=f"第{round_}次退回")
            rejected = reload(ticket)
            assert (rejected.state, rejected.rejection_count, rejected.submitted_at) == (S.RECTIFYING, round_, None)
            # The photos of the rejected round prove nothing about the work done again.
            with pytest.raises(TicketValidationError) as excinfo:
                services.ticket_submit(ticket=ticket, actor=people["chief"], measures="再次整改")
            assert "attachments" in excinfo.value.errors
            services.attachment_add(ticket=ticket, actor=people["chief"], upload=png_upload(), kind="after")
            services.ticket_submit(ticket=ticket, actor=people["chief"], measures="再次整改")
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.REJECTED).count() == 2
        assert reload(ticket).state == S.SUBMITTED

    @pytest.mark.parametrize("reason", ["", "  ", None])
    def test_a_rejection_needs_a_reason(self, make, people, reason):
        ticket = make(S.SUBMITTED)
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_reject(ticket=ticket, actor=people["verifier"], reason=reason)
        assert "reason" in excinfo.value.errors
        assert reload(ticket).rejection_count == 0

    def test_verification_records_who_verified(self, make, people):
        ticket = services.ticket_verify(ticket=make(S.SUBMITTED), actor=people["verifier"])
        ticket = reload(ticket)
        assert ticket.verified_by == people["verifier"]
        assert ticket.verified_at is not None

    def test_another_chief_with_the_verifier_role_may_verify(self, make, people):
        people["deputy"].groups.add(*people["verifier"].groups.all())
        deputy = type(people["deputy"]).objects.get(pk=people["deputy"].pk)
        ticket = services.ticket_verify(ticket=make(S.SUBMITTED), actor=deputy)
        assert reload(ticket).state == S.VERIFIED

    @pytest.mark.parametrize("state", [S.SUBMITTED, S.RECTIFYING])
    def test_closing_needs_verification_first(self, make, people, state):
        ticket = make(state)
        with pytest.raises(TicketStateConflict):
            services.ticket_close(ticket=ticket, actor=people["office"])
        assert reload(ticket).closed_at is None


class TestCancelAndReopen:
    @pytest.mark.parametrize("action", ["cancel", "reopen"])
    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_a_reason_is_required(self, make, people, action, reason):
        ticket = make(S.REPORTED if action == "cancel" else S.CLOSED)
        state = ticket.state
        service = services.ticket_cancel if action == "cancel" else services.ticket_reopen
        with pytest.raises(TicketValidationError) as excinfo:
            service(ticket=ticket, actor=people["office"], reason=reason)
        assert "reason" in excinfo.value.errors
        assert reload(ticket).state == state

    def test_cancel_records_the_reason_and_time(self, make, people):
        ticket = services.ticket_cancel(ticket=make(S.ASSIGNED), actor=people["office"], reason=" 不属实 ")
        assert reload(ticket).cancelled_at is not None
        assert last_event(ticket).payload == {"reason": "不属实"}

    def test_reopen_clears_verification_and_the_chief_rectifies_again(self, make, people):
        ticket = services.ticket_reopen(ticket=make(S.CLOSED), actor=people["office"], reason="问题反弹")
        ticket = reload(ticket)
        assert (ticket.state, ticket.closed_at, ticket.verified_at, ticket.verified_by, ticket.submitted_at) == (
            S.RECTIFYING, None, None, None, None,
        )
        # A reopened problem is rectified again, with new "after" photos.
        with pytest.raises(TicketValidationError):
            services.ticket_submit(ticket=ticket, actor=people["chief"], measures="再次清理")
        services.attachment_add(ticket=ticket, actor=people["chief"], upload=png_upload(), kind="after")
        services.ticket_submit(ticket=ticket, actor=people["chief"], measures="再次清理")
        services.ticket_verify(ticket=ticket, actor=people["verifier"])
        services.ticket_close(ticket=ticket, actor=people["office"])
        assert reload(ticket).state == S.CLOSED
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOSED).count() == 2


class TestReassign:
    @pytest.mark.parametrize("state", [S.ASSIGNED, S.RECTIFYING])
    def test_reassign_hands_the_ticket_to_another_appointed_chief(self, make, people, state):
        ticket = make(state)
        before = event_count(ticket)
        services.ticket_reassign(ticket=ticket, actor=people["office"], chief=people["deputy"], reason="村河长病休")
        ticket = reload(ticket)
        assert (ticket.state, ticket.responsible_chief, ticket.responsible_level) == (
            state, people["deputy"], AreaLevel.TOWNSHIP,
        )
        assert event_count(ticket) == before + 1
        event = last_event(ticket)
        # An event, not a state change.
        assert (event.kind, event.from_state, event.to_state) == (EventKind.REASSIGNED, "", "")
        assert event.payload["from_chief"] == people["chief"].pk
        assert event.payload["to_chief"] == people["deputy"].pk

    def test_after_reassignment_only_the_new_chief_rectifies(self, make, people):
        ticket = make(S.ASSIGNED)
        services.ticket_reassign(ticket=ticket, actor=people["office"], chief=people["deputy"], reason="改派")
        with pytest.raises(TicketPermissionDenied):
            services.ticket_start(ticket=ticket, actor=people["chief"])
        services.ticket_start(ticket=ticket, actor=people["deputy"])
        assert reload(ticket).state == S.RECTIFYING

    def test_a_new_due_date_may_come_with_it(self, make, people):
        ticket = make(S.ASSIGNED)
        services.ticket_reassign(ticket=ticket, actor=people["office"], chief=people["deputy"], reason="改派",
                                 due_at=in_days(30))
        assert reload(ticket).due_at.date() >= in_days(29)
        assert "old_due_at" in last_event(ticket).payload

    @pytest.mark.parametrize(
        ("new_chief", "reason", "due", "field"),
        [
            ("chief", "改派", None, "chief"),
            ("other_chief", "改派", None, "chief"),
            ("deputy", "  ", None, "reason"),
            ("deputy", "改派", -1, "due_at"),
        ],
        ids=["same-chief", "not-appointed-here", "no-reason", "past-due"],
    )
    def test_invalid_reassignment(self, make, people, new_chief, reason, due, field):
        ticket = make(S.RECTIFYING)
        before = event_count(ticket)
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_reassign(ticket=ticket, actor=people["office"], chief=people[new_chief], reason=reason,
                                     due_at=None if due is None else in_days(due))
        assert field in excinfo.value.errors
        assert reload(ticket).responsible_chief == people["chief"]
        assert event_count(ticket) == before

    @pytest.mark.parametrize("state", [S.REPORTED, S.SUBMITTED, S.VERIFIED, S.CLOSED, S.CANCELLED])
    def test_only_while_the_chief_is_at_work(self, make, people, state):
        ticket = make(state)
        with pytest.raises(TicketStateConflict):
            services.ticket_reassign(ticket=ticket, actor=people["office"], chief=people["deputy"], reason="改派")

    @pytest.mark.parametrize("actor", ["verifier", "chief", "deputy", "supervisor"])
    def test_only_the_office_reassigns(self, make, people, actor):
        ticket = make(S.ASSIGNED)
        with pytest.raises(TicketPermissionDenied):
            services.ticket_reassign(ticket=ticket, actor=people[actor], chief=people["deputy"], reason="改派")
        assert reload(ticket).responsible_chief == people["chief"]


class TestChangeDeadline:
    @pytest.mark.parametrize("state", [S.ASSIGNED, S.RECTIFYING, S.SUBMITTED])
    def test_the_office_moves_the_deadline(self, make, people, state):
        ticket = make(state)
        old_due = reload(ticket).due_at
        services.ticket_change_deadline(ticket=ticket, actor=people["office"], due_at=in_days(40), reason="汛期")
        ticket = reload(ticket)
        assert ticket.state == state
        assert ticket.due_at > old_due
        event = last_event(ticket)
        assert (event.kind, event.from_state, event.to_state) == (EventKind.DEADLINE_CHANGED, "", "")
        assert event.payload["reason"] == "汛期"
        assert event.payload["old_due_at"] is not None

    @pytest.mark.parametrize(("due", "reason", "field"), [(-1, "汛期", "due_at"), (40, "", "reason")])
    def test_invalid_change(self, make, people, due, reason, field):
        ticket = make(S.ASSIGNED)
        old_due = reload(ticket).due_at
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_change_deadline(ticket=ticket, actor=people["office"], due_at=in_days(due),
                                            reason=reason)
        assert field in excinfo.value.errors
        assert reload(ticket).due_at == old_due

    @pytest.mark.parametrize("state", [S.REPORTED, S.VERIFIED, S.CLOSED, S.CANCELLED])
    def test_not_once_the_chief_is_done(self, make, people, state):
        with pytest.raises(TicketStateConflict):
            services.ticket_change_deadline(ticket=make(state), actor=people["office"], due_at=in_days(40),
                                            reason="汛期")

    @pytest.mark.parametrize("actor", ["verifier", "chief", "supervisor"])
    def test_only_the_office(self, make, people, actor):
        with pytest.raises(TicketPermissionDenied):
            services.ticket_change_deadline(ticket=make(S.ASSIGNED), actor=people[actor], due_at=in_days(40),
                                            reason="汛期")


class TestComment:
    @pytest.mark.parametrize("actor", ["office", "verifier", "chief", "deputy", "supervisor"])
    def test_whoever_may_see_the_ticket_may_comment_in_any_state(self, make, people, actor):
        ticket = make(S.CLOSED)
        event = services.ticket_comment(ticket=ticket, actor=people[actor], text=" 已知悉 ")
        assert (event.kind, event.actor, event.payload, event.from_state, event.to_state) == (
            EventKind.COMMENTED, people[actor], {"text": "已知悉"}, "", "",
        )
        assert reload(ticket).state == S.CLOSED

    def test_others_may_not(self, make, people):
        stranger = UserFactory(roles=["social_supervisor"])
        for actor in (people["other_chief"], stranger):
            with pytest.raises(TicketPermissionDenied):
                services.ticket_comment(ticket=make(S.ASSIGNED), actor=actor, text="看看")

    def test_text_is_required(self, make, people):
        with pytest.raises(TicketValidationError) as excinfo:
            services.ticket_comment(ticket=make(S.REPORTED), actor=people["office"], text="  ")
        assert "text" in excinfo.value.errors


def test_the_state_field_cannot_be_assigned(office, segment):
    ticket = open_ticket(reporter=office, segment=segment)
    with pytest.raises(AttributeError):
        ticket.state = S.CLOSED


def test_a_lost_race_found_at_save_time_is_a_state_conflict(make, people):
    """Where the row lock does not hold (SQLite), the state-guarded UPDATE catches the loser."""
    ticket = make(S.ASSIGNED)
    table = Ticket._meta.db_table

    def someone_cancels_first(sender, instance, **kwargs):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET state = %s WHERE id = %s", [S.CANCELLED, instance.pk])

    from django.db.models.signals import pre_save

    pre_save.connect(someone_cancels_first, sender=Ticket, dispatch_uid="race")
    try:
        with pytest.raises(TicketStateConflict) as excinfo:
            services.ticket_start(ticket=ticket, actor=people["chief"])
    finally:
        pre_save.disconnect(dispatch_uid="race", sender=Ticket)
    # Here the "winner" wrote inside the loser's transaction and was rolled back with it; in a real race it
    # committed first. Either way the conflict reports the state the database holds once the loser is out.
    assert excinfo.value.current_state == reload(ticket).state
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STARTED).exists()


def test_locked_ticket_accepts_a_primary_key(make):
    ticket = make(S.REPORTED)
    with locked_ticket(ticket.pk) as locked:
        assert locked.pk == ticket.pk


def test_nothing_is_attached_to_a_closed_or_cancelled_ticket(make, people):
    for state in (S.CLOSED, S.CANCELLED):
        ticket = make(state)
        before = ticket.attachments.count()
        with pytest.raises(TicketStateConflict) as excinfo:
            services.attachment_add(ticket=ticket, actor=people["office"], upload=png_upload(), kind="before")
        assert excinfo.value.current_state == state
        assert ticket.attachments.count() == before
