"""Whether a ticket service runs as its own transaction or as part of its caller's."""

from contextlib import contextmanager
from contextvars import ContextVar

_caller_owns_transaction = ContextVar("caller_owns_transaction", default=False)


@contextmanager
def as_part_of_callers_transaction():
    """For callers (the flow's steps) that run a ticket service inside their own transaction and let
    any error end it: the service then needs no savepoint of its own, two round trips fewer."""
    token = _caller_owns_transaction.set(True)
    try:
        yield
    finally:
        _caller_owns_transaction.reset(token)


def savepoint_needed():
    return not _caller_owns_transaction.get()
