"""Every write to a ticket goes through one of these functions."""

from .attachments import attachment_add
from .audit import record_event
from .opening import ticket_open
from .transitions import (
    ticket_assign,
    ticket_cancel,
    ticket_change_deadline,
    ticket_close,
    ticket_comment,
    ticket_reassign,
    ticket_reject,
    ticket_reopen,
    ticket_start,
    ticket_submit,
    ticket_verify,
)

__all__ = [
    "attachment_add",
    "record_event",
    "ticket_assign",
    "ticket_cancel",
    "ticket_change_deadline",
    "ticket_close",
    "ticket_comment",
    "ticket_open",
    "ticket_reassign",
    "ticket_reject",
    "ticket_reopen",
    "ticket_start",
    "ticket_submit",
    "ticket_verify",
]
