"""Small tables read on every ticket event, kept per process for a short while.

The notification receiver runs inside the ticket's transaction, so each query it saves shortens every
ticket action. What it reads on (nearly) every event and what rarely changes is cached here: the rules,
who is in the office and verifier groups, and the areas' group robots. An edit in this process clears the
cache at once (signals connected in apps.py) and again when its transaction commits, so no other thread
keeps the rows it read before the commit; other processes see an edit within TTL seconds.
"""

import time

from django.db import transaction

TTL = 30.0


class ProcessCache:
    """One value loaded by ``load()``, kept for TTL seconds; ``forget`` is a signal receiver."""

    def __init__(self, load):
        self._load = load
        self._loaded_at = None
        self._value = None

    def get(self):
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at > TTL:
            # Loaded first, then stored: a reader in another thread never sees a half-built value.
            value = self._load()
            self._value, self._loaded_at = value, now
        return self._value

    def clear(self):
        self._loaded_at = None
        self._value = None

    def forget(self, **kwargs):
        self.clear()
        if transaction.get_connection().in_atomic_block:
            # Another thread may reload the old rows before this transaction commits: clear again then.
            transaction.on_commit(self.clear)


def forget_all():
    """Every cache of this app (tests start each from its own database)."""
    from . import outbox, recipients

    for cache in (recipients.RULES, recipients.GROUP_MEMBERS, outbox.AREA_ROBOTS):
        cache.clear()
