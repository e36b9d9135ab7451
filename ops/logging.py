"""Structured logs: one JSON object per line, with the request id and ticket number when known.

Imported by gunicorn's config before Django is set up, so it imports nothing from Django.
"""

import json
import logging
from datetime import UTC, datetime

from . import context

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class ContextFilter(logging.Filter):
    """Copy the request id and ticket number from the current context onto every record."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = context.request_id.get()
        if not getattr(record, "ticket", None):
            record.ticket = context.ticket.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and value not in (None, "", "-"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
