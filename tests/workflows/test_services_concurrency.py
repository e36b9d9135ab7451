"""Two users doing the same thing to one ticket at the same moment: one wins, the other gets a conflict.

Needs PostgreSQL: a flow step locks the ticket's row (SELECT ... FOR UPDATE) and reads the open task after
it holds the lock; the loser must come out as TicketStateConflict (what the UI and API show), not a
database error.
"""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory, flow_ticket_in_state, png_upload
from tests.racing import race
from tickets.errors import TicketError, TicketStateConflict
from tickets.models import EventKind, Ticket, TicketState
from workflows import services
from workflows.flows import RectificationFlow
from workflows.selectors import open_task, process_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]



def one_winner(outcomes):
    winners = [o for o in outcomes if isinstance(o, Ticket)]
    losers = [o for o in outcomes if not isinstance(o, Ticket)]
    assert len(winners) == 1, outcomes
    # The loser is a conflict a user can read, nothing lower-level.
    assert all(type(o) is TicketStateConflict for o in losers), [repr(o) for o in losers]
    return winners[0], losers


def events(ticket, kind):
    return ticket.events.filter(kind=kind).count()


def test_two_office_users_closing_at_once(office, verifier, chief, segment):
    office2 = UserFactory(username="office2", roles=["office"])
    ticket = flow_ticket_in_state(TicketState.VERIFIED, office=office, chief=chief, segment=segment,
                                  verifier=verifier)

    outcomes = race(
        lambda: services.close_ticket(ticket=ticket, actor=office, comment="销号"),
        lambda: services.close_ticket(ticket=ticket, actor=office2, comment="销号"),
    )
    winner, (loser,) = one_winner(outcomes)
    assert loser.current_state == TicketState.CLOSED
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
    assert events(ticket, EventKind.CLOSED) == 1
    assert open_task(ticket) is None
    assert process_of(ticket).status == "DONE"
    assert services.flow_disagreements(ticket) == []


def test_verify_and_reject_at_once(office, verifier, chief, segment):
    verifier2 = UserFactory(username="verifier2", roles=["verifier"])
    ticket = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=chief, segment=segment)

    outcomes = race(
        lambda: services.verify_ticket(ticket=ticket, actor=verifier, photos=[png_upload("ok.png")]),
        lambda: services.reject_ticket(ticket=ticket, actor=verifier2, reason="仍有垃圾",
                                       photos=[png_upload("bad.png")]),
    )
    winner, (loser,) = one_winner(outcomes)
    ticket.refresh_from_db()
    assert loser.current_state == ticket.state
    assert ticket.state in (TicketState.VERIFIED, TicketState.RECTIFYING)
    assert events(ticket, EventKind.VERIFIED) + events(ticket, EventKind.REJECTED) == 1
    # Only the winner's photo was kept: the loser's transaction was rolled back whole.
    assert ticket.attachments.filter(kind="verification").count() == 1
    expected_node = "close" if ticket.state == TicketState.VERIFIED else "rectify"
    assert open_task(ticket).flow_task.name == expected_node
    assert services.flow_disagreements(ticket) == []


def test_the_chief_submitting_twice_at_once(office, chief, segment):
    ticket = flow_ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)

    def submit(name):
        return lambda: services.submit_rectification(
            ticket=ticket, actor=chief, measures="已清理", after_photos=[png_upload(name)]
        )

    winner, (loser,) = one_winner(race(submit("a.png"), submit("b.png")))
    ticket.refresh_from_db()
    assert loser.current_state == TicketState.SUBMITTED
    assert events(ticket, EventKind.SUBMITTED) == 1
    assert ticket.attachments.filter(kind="after").count() == 1
    assert services.flow_disagreements(ticket) == []


def test_cancel_racing_assign(office, chief, segment):
    office2 = UserFactory(username="office2", roles=["office"])
    ticket = flow_ticket_in_state(TicketState.REPORTED, office=office, chief=chief, segment=segment)
    due = timezone.localdate() + dt.timedelta(days=10)

    outcomes = race(
        lambda: services.assign_ticket(ticket=ticket, actor=office, chief=chief, due_at=due),
        lambda: services.cancel_ticket(ticket=ticket, actor=office2, reason="重复上报"),
    )
    # Both orders are legal (cancel is allowed from assigned too): either both succeed one after the
    # other, or the assign loses to an earlier cancel. Never a half-done mix.
    assert not any(isinstance(o, Exception) and not isinstance(o, TicketError) for o in outcomes), outcomes
    ticket.refresh_from_db()
    assert services.flow_disagreements(ticket) == []
    assert events(ticket, EventKind.CANCELLED) == 1
    assert ticket.state == TicketState.CANCELLED


def test_many_office_users_closing_at_once(office, verifier, chief, segment):
    """More contenders than the lock's retries would ever need: still one winner, the rest conflicts."""
    others = [UserFactory(username=f"office{n}", roles=["office"]) for n in range(2, 6)]
    ticket = flow_ticket_in_state(TicketState.VERIFIED, office=office, chief=chief, segment=segment,
                                  verifier=verifier)
    outcomes = race(*[
        (lambda user=user: services.close_ticket(ticket=ticket, actor=user)) for user in [office, *others]
    ])
    one_winner(outcomes)
    ticket.refresh_from_db()
    assert events(ticket, EventKind.CLOSED) == 1
    assert services.flow_disagreements(ticket) == []


def test_racing_inside_a_callers_transaction(office, verifier, chief, segment):
    """The API runs a request with an Idempotency-Key inside its own transaction: the flow's lock is then a
    savepoint, and a refused NOWAIT must still end as a conflict, not as an aborted transaction."""
    from django.db import transaction

    office2 = UserFactory(username="office2", roles=["office"])
    ticket = flow_ticket_in_state(TicketState.VERIFIED, office=office, chief=chief, segment=segment,
                                  verifier=verifier)

    def close_as(user):
        def run():
            with transaction.atomic():
                return services.close_ticket(ticket=ticket, actor=user)
        return run

    winner, (loser,) = one_winner(race(close_as(office), close_as(office2)))
    assert loser.current_state == TicketState.CLOSED
    ticket.refresh_from_db()
    assert events(ticket, EventKind.CLOSED) == 1
    assert services.flow_disagreements(ticket) == []


def test_two_office_users_reopening_at_once_start_one_new_run(office, verifier, chief, segment):
    office2 = UserFactory(username="office2", roles=["office"])
    ticket = flow_ticket_in_state(TicketState.CLOSED, office=office, chief=chief, segment=segment,
                                  verifier=verifier)
    outcomes = race(
        lambda: services.reopen_ticket(ticket=ticket, actor=office, reason="群众再次反映"),
        lambda: services.reopen_ticket(ticket=ticket, actor=office2, reason="群众再次反映"),
    )
    winner, (loser,) = one_winner(outcomes)
    assert loser.current_state == TicketState.RECTIFYING
    ticket.refresh_from_db()
    assert events(ticket, EventKind.REOPENED) == 1
    assert RectificationFlow.process_class.objects.filter(artifact_object_id=ticket.pk).count() == 2
    assert services.flow_disagreements(ticket) == []


def test_a_step_that_waited_for_the_lock_appends_after_what_the_holder_appended(office, verifier, chief, segment):
    """A comment (or a reminder from the sweep) holds the ticket's lock while a step waits for it: the step
    must chain its event after the comment's, which it could not see when it started waiting."""
    import threading

    from django.db import connection, transaction

    from tickets.audit_check import verify_chains

    ticket = flow_ticket_in_state(TicketState.SUBMITTED, office=office, chief=chief, segment=segment)
    holding, comment_done = threading.Event(), threading.Event()

    def comment_holding_the_lock():
        with transaction.atomic():
            services.comment_on_ticket(ticket=ticket, actor=office, text="请尽快核查")
            holding.set()
            # Long enough for the step to be waiting on the row lock when this commits.
            comment_done.wait(timeout=1.0)
        return "commented"

    def verify_when_locked():
        holding.wait(timeout=10)
        try:
            return services.verify_ticket(ticket=ticket, actor=verifier)
        finally:
            connection.close()

    commenter = threading.Thread(target=lambda: (comment_holding_the_lock(), connection.close()))
    commenter.start()
    verified = verify_when_locked()
    commenter.join(timeout=30)

    assert verified.state == TicketState.VERIFIED
    kinds = list(ticket.events.order_by("seq").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.COMMENTED, EventKind.VERIFIED]
    assert list(verify_chains()) == []
