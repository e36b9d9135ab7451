"""Tunables, each overridable in settings; the defaults suit an office of a few hundred users."""

import datetime as dt
import os

from django.conf import settings


def _get(name, default):
    return getattr(settings, f"NOTIFICATIONS_{name}", default)


def max_attempts():
    # 8 tries with the backoff below span about two hours: a robot or mail server outage of a morning.
    return _get("MAX_ATTEMPTS", 8)


def backoff(attempts):
    """Wait after the n-th failed attempt: 1, 2, 4 ... minutes, capped at an hour."""
    base = _get("BACKOFF_BASE_SECONDS", 60)
    cap = _get("BACKOFF_MAX_SECONDS", 3600)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def sweep_grace():
    """How long a new row waits for its own task before the sweep sends it instead."""
    return dt.timedelta(seconds=_get("SWEEP_GRACE_SECONDS", 60))


def sweep_lease():
    """After the sweep hands a row to the broker, how long before it may hand it over again."""
    return dt.timedelta(seconds=_get("SWEEP_LEASE_SECONDS", 300))


def sweep_batch():
    return _get("SWEEP_BATCH", 500)


def sending_timeout():
    """A row 'sending' for longer than this belongs to a worker that died; well above any send timeout."""
    return dt.timedelta(seconds=_get("SENDING_TIMEOUT_SECONDS", 600))


def webhook_timeout():
    return _get("WEBHOOK_TIMEOUT_SECONDS", 10)


def queue():
    """The Celery queue for delivery tasks; None is the default queue every worker reads.

    Also read from the environment, so a worker started for a dedicated queue publishes its retries there.
    """
    return _get("QUEUE", None) or os.environ.get("NOTIFICATIONS_QUEUE") or None


def digest_due_soon_days():
    return _get("DIGEST_DUE_SOON_DAYS", 3)


def site_url():
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def ticket_path(number):
    # The ticket page the UI serves; kept as a path so the in-app centre links stay on the same host.
    return f"/tickets/{number}/"


def ticket_list_path():
    # The UI's ticket list, where a digest's reader sees all their tickets.
    return "/tickets/"
