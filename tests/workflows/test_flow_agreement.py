"""Random runs: random users take random actions on several tickets; the flow must always agree with the ticket.

Each run is seeded, so a failure names the seed and the actions that led to it. Domain errors are the
expected answer to most random actions and are swallowed; anything else fails the run.
"""

import datetime as dt
import random

import pytest
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from tests.factories import AppointmentFactory, UserFactory, png_upload
from tickets.errors import TicketError
from tickets.models import AreaLevel, EventKind, Ticket, TicketEvent, TicketState
from tickets.selectors import ticket_history
from workflows import services
from workflows.flows import RectificationFlow
from workflows.selectors import inbox_tickets, open_task, process_of

pytestmark = pytest.mark.django_db

RUNS = 12
TICKETS_PER_RUN = 3
ACTIONS_PER_RUN = 30

# The event each action appends when it succeeds (attachments come before it and are not counted here).
EVENT_OF = {
    "assign": EventKind.ASSIGNED, "start": EventKind.STARTED, "submit": EventKind.SUBMITTED,
    "verify": EventKind.VERIFIED, "reject": EventKind.REJECTED, "close": EventKind.CLOSED,
    "cancel": EventKind.CANCELLED, "reopen": EventKind.REOPENED, "reassign": EventKind.REASSIGNED,
    "deadline": EventKind.DEADLINE_CHANGED, "comment": EventKind.COMMENTED,
}



@pytest.fixture
def cast(db):
    """The people: office (two), a verifier, a supervisor; on the first segment a village and a township
    chief; on the second a chief who is also a verifier, under a township chief; and that township chief
    holds a third segment of their own."""
    village = AppointmentFactory(chief__username="village_chief")
    segment = village.segment
    township = AppointmentFactory(segment=segment, level=AreaLevel.TOWNSHIP, chief__username="township_chief")
    elsewhere = AppointmentFactory(chief__username="other_chief")
    both = AppointmentFactory(chief__username="chief_verifier", chief__roles=["chief", "verifier"])
    # Two chiefs on each segment, so a reassignment has somewhere to go.
    AppointmentFactory(segment=both.segment, level=AreaLevel.TOWNSHIP, chief=elsewhere.chief)
    users = {
        "office": UserFactory(username="office", roles=["office"]),
        "office2": UserFactory(username="office2", roles=["office"]),
        "verifier": UserFactory(username="verifier", roles=["verifier"]),
        "village_chief": village.chief,
        "township_chief": township.chief,
        "other_chief": elsewhere.chief,
        "chief_verifier": both.chief,
        "supervisor": UserFactory(username="supervisor", roles=["social_supervisor"]),
    }
    return users, [segment, both.segment]


# What usually comes next in each state; a run picks from these most of the time so it gets deep into the flow.
LIKELY = {
    TicketState.REPORTED: ["assign", "assign", "cancel"],
    TicketState.ASSIGNED: ["start", "start", "reassign", "cancel", "deadline"],
    TicketState.RECTIFYING: ["submit", "submit", "reassign", "comment"],
    TicketState.SUBMITTED: ["verify", "reject"],
    TicketState.VERIFIED: ["close"],
    TicketState.CLOSED: ["reopen"],
    TicketState.CANCELLED: ["comment"],
}


def likely_actor(users, ticket, name):
    """Who would normally take this action on this ticket."""
    if name in ("start", "submit"):
        return next((u for u in users.values() if u.pk == ticket.responsible_chief_id), users["office"])
    if name in ("verify", "reject"):
        return users["verifier"]
    if name == "comment":
        return users["supervisor"]
    return users["office"]


def random_action(rng, users, ticket):
    """(name, actor, callable): one action, by the likely user most of the time and by anyone otherwise,
    with arguments that are sometimes wrong (no reason, no photo, a past date, a chief not appointed)."""
    ticket.refresh_from_db()
    if rng.random() < 0.7:
        name = rng.choice(LIKELY[ticket.state])
        actor = likely_actor(users, ticket, name)
    else:
        name, actor = rng.choice(sorted(EVENT_OF)), users[rng.choice(sorted(users))]
    chiefs = [users["village_chief"], users["township_chief"], users["other_chief"], users["chief_verifier"]]
    due = timezone.localdate() + dt.timedelta(days=rng.choice([-1, 5, 30, 30]))
    photos = [png_upload(f"p{rng.randrange(1000)}.png") for _ in range(rng.choice([0, 1, 1, 1, 2]))]
    reason = rng.choice(["", "理由", "理由", "理由"])
    options = {
        "assign": lambda: services.assign_ticket(ticket=ticket, actor=actor, chief=rng.choice(chiefs), due_at=due),
        "start": lambda: services.start_rectification(ticket=ticket, actor=actor),
        "submit": lambda: services.submit_rectification(
            ticket=ticket, actor=actor, measures=rng.choice(["", "已整改", "已整改"]), after_photos=photos
        ),
        "verify": lambda: services.verify_ticket(ticket=ticket, actor=actor, photos=photos),
        "reject": lambda: services.reject_ticket(ticket=ticket, actor=actor, reason=reason, photos=photos),
        "close": lambda: services.close_ticket(ticket=ticket, actor=actor),
        "cancel": lambda: services.cancel_ticket(ticket=ticket, actor=actor, reason=reason),
        "reopen": lambda: services.reopen_ticket(ticket=ticket, actor=actor, reason=reason),
        "reassign": lambda: services.reassign_ticket(
            ticket=ticket, actor=actor, chief=rng.choice(chiefs), reason=reason,
            due_at=rng.choice([None, due]),
        ),
        "deadline": lambda: services.change_deadline(ticket=ticket, actor=actor, due_at=due, reason=reason),
        "comment": lambda: services.comment_on_ticket(ticket=ticket, actor=actor, text=rng.choice(["", "备注"])),
    }
    return name, actor, options[name]


def state_explained_by_events(ticket):
    """The audit trail accounts for the ticket: a chain of transitions ending in its state, and counts."""
    events = ticket_history(ticket=ticket)
    transitions = [e for e in events if e.to_state]
    problems = []
    assert transitions[0].kind == EventKind.CREATED
    for before, after in zip(transitions, transitions[1:], strict=False):
        if after.from_state != before.to_state:
            problems.append(f"event {after.seq} {after.kind} from {after.from_state} after {before.to_state}")
    if transitions[-1].to_state != ticket.state:
        problems.append(f"last transition to {transitions[-1].to_state}, ticket is {ticket.state}")
    kinds = [e.kind for e in events]
    if kinds.count(EventKind.REJECTED) != ticket.rejection_count:
        problems.append(f"{kinds.count(EventKind.REJECTED)} rejections recorded, count is {ticket.rejection_count}")
    runs = RectificationFlow.process_class.objects.filter(artifact_object_id=ticket.pk).count()
    if runs != 1 + kinds.count(EventKind.REOPENED):
        problems.append(f"{runs} flow runs for {kinds.count(EventKind.REOPENED)} reopenings")
    if [e.seq for e in events] != list(range(1, len(events) + 1)):
        problems.append("audit sequence has gaps")
    return problems


def check_every_ticket(context):
    for ticket in Ticket.objects.all():
        problems = services.flow_disagreements(ticket) + state_explained_by_events(ticket)
        process = process_of(ticket)
        expected_status = {TicketState.CLOSED: PROCESS.DONE, TicketState.CANCELLED: PROCESS.CANCELED}
        if process.status != expected_status.get(ticket.state, PROCESS.NEW):
            problems.append(f"process {process.status} for {ticket.state}")
        assert services.flow_agrees_with_ticket(ticket) == (not services.flow_disagreements(ticket))
        assert not problems, f"{ticket} ({ticket.state}): {problems}\n{context}"


def check_inboxes(users, context):
    """Each open ticket sits in the inbox of whoever must act, and in no inbox of someone who may not."""
    inbox = {name: set(inbox_tickets(user).values_list("pk", flat=True)) for name, user in users.items()}
    for ticket in Ticket.objects.all():
        task = open_task(ticket)
        holders = {name for name, ids in inbox.items() if ticket.pk in ids}
        if task is None:
            expected = set()
        elif task.flow_task.name == "rectify":
            expected = {name for name, user in users.items() if user.pk == ticket.responsible_chief_id}
        elif task.flow_task.name == "verify":
            expected = {"office", "office2", "verifier", "chief_verifier"} - {
                name for name, user in users.items() if user.pk == ticket.rectified_by_id
            }
        else:
            expected = {"office", "office2"}
        assert holders == expected, f"{ticket} ({ticket.state}) in {holders}, expected {expected}\n{context}"


def test_random_runs_keep_every_ticket_and_its_flow_in_agreement(cast):
    users, segments = cast
    reporters = [users["office"], users["supervisor"], users["village_chief"]]
    outcomes = {"ok": 0, "refused": 0}
    for seed in range(RUNS):
        rng = random.Random(seed)
        tickets = [
            services.open_ticket(
                reporter=rng.choice(reporters), segment=rng.choice(segments), source="supervisor_feedback",
                category="garbage", description=f"run {seed} ticket {n}",
            )
            for n in range(TICKETS_PER_RUN)
        ]
        log = []
        for _step in range(ACTIONS_PER_RUN):
            ticket = rng.choice(tickets)
            events_before = ticket.events.count()
            name, actor, action = random_action(rng, users, ticket)
            try:
                action()
            except TicketError as error:
                outcomes["refused"] += 1
                log.append(f"{ticket} {name} by {actor}: {type(error).__name__}")
                # A refused action leaves no trace in the audit trail.
                assert ticket.events.count() == events_before, f"seed {seed}: " + "\n".join(log)
            else:
                outcomes["ok"] += 1
                log.append(f"{ticket} {name} by {actor}: ok")
                new = list(ticket.events.order_by("seq")[events_before:])
                kinds = [e.kind for e in new if e.kind != EventKind.ATTACHMENT_ADDED]
                assert kinds == [EVENT_OF[name]], f"seed {seed}: {kinds}\n" + "\n".join(log)
        context = f"seed {seed}:\n" + "\n".join(log)
        check_every_ticket(context)
        check_inboxes(users, context)
    # The runs did reach deep into the flow, not just bounce off refusals.
    assert outcomes["ok"] > RUNS * 6, outcomes
    reached = set(TicketEvent.objects.values_list("kind", flat=True))
    assert reached >= {EventKind.CLOSED, EventKind.CANCELLED, EventKind.REJECTED, EventKind.REOPENED,
                       EventKind.REASSIGNED}, reached
