"""Whether a ticket service runs as its own transaction or as part of its caller's."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class _CallersTransaction:
    tickets: dict = field(default_factory=dict)  # pk -> the instance locked in this transaction
    chain_heads: dict = field(default_factory=dict)  # pk -> (seq, hash) of its last event so far


# None outside a caller-owned transaction.
_current = ContextVar("callers_transaction", default=None)


@contextmanager
def as_part_of_callers_transaction():
    """For callers (the flow's steps) that run ticket services inside their own transaction and let
    any error end it: the services then need no savepoint of their own, a ticket locked once in that
    transaction is not read and locked again by each service the step calls, and each event appended
    knows the chain's head from the one before it."""
    token = _current.set(_CallersTransaction())
    try:
        yield
    finally:
        _current.reset(token)


def savepoint_needed():
    return _current.get() is None


def in_callers_transaction():
    return _current.get() is not None


def already_locked(pk):
    """The ticket instance locked earlier in the caller's transaction, or None."""
    scope = _current.get()
    return scope.tickets.get(pk) if scope else None


def remember_locked(ticket):
    scope = _current.get()
    if scope is not None:
        scope.tickets[ticket.pk] = ticket


def chain_head(pk):
    """(seq, hash) of the ticket's last event as this transaction knows it, or None if it does not."""
    scope = _current.get()
    return scope.chain_heads.get(pk) if scope else None


def remember_chain_head(pk, seq, event_hash):
    """Only with a head read after the ticket's lock was taken (in a statement of its own: a subquery
    of the locking statement would see the rows as they were before it waited for the lock)."""
    scope = _current.get()
    if scope is not None:
        scope.chain_heads[pk] = (seq, event_hash)
