"""A small table's rows, kept in each process for a short while.

For what is read on (nearly) every ticket event and rarely edited: the notification rules and
recipients, the deadline ladder and the working calendar. An edit in this process clears the copy at
once (the apps connect ``forget`` to the models' save/delete signals) and again when its transaction
commits, so no other thread keeps rows it read before the commit; other processes see an edit within
TTL seconds.
"""

import time

from django.db import transaction

TTL = 30.0


class ProcessCache:
    """One value made by ``load()``, kept for ``ttl`` seconds; ``forget`` is a signal receiver."""

    def __init__(self, load, ttl=TTL):
        self._load, self._ttl = load, ttl
        self._loaded_at = self._value = None
        self._generation = 0

    def get(self):
        now = time.monotonic()
        if self._loaded_at is not None and now - self._loaded_at <= self._ttl:
            return self._value
        generation = self._generation
        # Loaded first, then stored: a reader in another thread never sees a half-built value.
        value = self._load()
        if self._generation == generation:  # not if an edit came while loading: the copy may be the old one
            self._value, self._loaded_at = value, now
        return value

    def clear(self):
        self._generation += 1
        self._loaded_at = self._value = None

    def forget(self, **kwargs):
        self.clear()
        if transaction.get_connection().in_atomic_block:
            # Another thread may reload the old rows before this transaction commits: clear again then.
            transaction.on_commit(self.clear)
