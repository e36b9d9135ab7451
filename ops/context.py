"""What the current request or task is about, for the log lines written while it runs.

Context variables rather than thread-locals: each gunicorn worker thread and each Celery task
sees its own values, and nothing leaks from one request into the next.
"""

import contextvars

request_id = contextvars.ContextVar("request_id", default="-")
ticket = contextvars.ContextVar("ticket", default="")


def bind_ticket(number):
    """Tag the remaining log lines of this request or task with a ticket number."""
    ticket.set(number or "")
