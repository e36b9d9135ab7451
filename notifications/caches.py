"""Small tables read on every ticket event, kept per process for a short while.

The notification receiver runs inside the ticket's transaction, so each query it saves shortens every
ticket action. What it reads on (nearly) every event and what rarely changes is cached
(config.process_cache): the rules, who is in the office and verifier groups, and the areas' group
robots; apps.py connects the signals that clear them.
"""

from config.process_cache import TTL, ProcessCache

__all__ = ["TTL", "ProcessCache", "forget_all"]


def forget_all():
    """Every cache of this app (tests start each from its own database)."""
    from . import outbox, recipients

    for cache in (recipients.RULES, recipients.GROUP_MEMBERS, outbox.AREA_ROBOTS):
        cache.clear()
