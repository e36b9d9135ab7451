"""Rules → people: who hears about one event.

Each Recipient spec has a resolver that reads the ticket (and the event's payload) as it is
inside the transaction that recorded the event. A person named by several specs hears once,
under the first spec in Recipient's order (that is the wording their message uses).
"""

import copy
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from tickets.rules import Role
from tickets.selectors import chief_superior

from .caches import TTL, ProcessCache
from .models import NotificationRule, Recipient


@dataclass(frozen=True)
class Resolved:
    user: object
    reason: str


def _users_by_ids(ids):
    """Users for the ids in a payload list, in that order; bad or unknown ids are ignored."""
    wanted = []
    for value in ids or ():
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            continue
    found = get_user_model().objects.in_bulk(wanted)
    return [found[pk] for pk in wanted if pk in found]


# The groups whose members a rule may name; both are read together, on most events, and change rarely.
MEMBER_ROLES = (Role.OFFICE, Role.VERIFIER)


def _load_group_members():
    membership = get_user_model().groups.through.objects
    by_role = {role: [] for role in MEMBER_ROLES}
    rows = (
        membership.filter(group__name__in=MEMBER_ROLES, user__is_active=True)
        .select_related("user", "group")
        .order_by("user_id")
    )
    for row in rows:
        by_role[row.group.name].append(row.user)
    return by_role


GROUP_MEMBERS = ProcessCache(_load_group_members)
forget_group_members = GROUP_MEMBERS.forget


def _group_members(role):
    # Copies: the caller may attach things to a user (a preference, a cached relation); the cache stays as read.
    return [copy.copy(user) for user in GROUP_MEMBERS.get()[role]]


def _responsible_chief(event, ticket):
    return [ticket.responsible_chief]


def _previous_chief(event, ticket):
    return _users_by_ids([event.payload.get("from_chief")])


def _new_chief(event, ticket):
    return _users_by_ids([event.payload.get("to_chief")]) or [ticket.responsible_chief]


def _reporter(event, ticket):
    return [ticket.reporter]


def _office(event, ticket):
    return _group_members(Role.OFFICE)


def _verifiers(event, ticket):
    return _group_members(Role.VERIFIER)


def _superior(event, ticket):
    if not ticket.responsible_level:
        return []
    superior, _level = chief_superior(segment=ticket.segment, level=ticket.responsible_level)
    return [superior]


def _audience(event, ticket):
    audience = event.payload.get("audience")
    return _users_by_ids(audience if isinstance(audience, list) else [])


RESOLVERS = {
    Recipient.RESPONSIBLE_CHIEF: _responsible_chief,
    Recipient.PREVIOUS_CHIEF: _previous_chief,
    Recipient.NEW_CHIEF: _new_chief,
    Recipient.REPORTER: _reporter,
    Recipient.OFFICE: _office,
    Recipient.VERIFIERS: _verifiers,
    Recipient.SUPERIOR: _superior,
    Recipient.AUDIENCE: _audience,
}
SPEC_ORDER = list(Recipient.values)


# The rules table is tiny and read on every ticket event: each process keeps it for a short while.
# An edit in this process (the admin) clears it at once; other processes see it within RULES_TTL.
RULES_TTL = TTL


def _load_rules():
    by_kind = {}
    for kind, recipient in NotificationRule.objects.filter(is_active=True).values_list("event_kind", "recipient"):
        by_kind.setdefault(kind, set()).add(recipient)
    return by_kind


RULES = ProcessCache(_load_rules)
forget_rules = RULES.forget


def _rules_by_kind():
    return RULES.get()


def specs_for(kind):
    """The recipient specs of the active rules for an event kind, in Recipient's order."""
    specs = _rules_by_kind().get(kind, set())
    return [spec for spec in SPEC_ORDER if spec in specs]


def resolve(event):
    """The people to notify about ``event``: active users, each once, never the person who acted."""
    ticket = event.ticket
    seen, resolved = set(), []
    for spec in specs_for(event.kind):
        for user in RESOLVERS[spec](event, ticket):
            # Whoever did it already knows; and an inactive account reads nothing.
            if user is None or not user.is_active or user.pk in seen or user.pk == event.actor_id:
                continue
            seen.add(user.pk)
            resolved.append(Resolved(user=user, reason=spec))
    return resolved
