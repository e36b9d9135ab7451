"""Writes about deadlines; each locks the ticket and records its event (CONTRIBUTING: one service per action)."""

from .extensions import extension_approve, extension_refuse, extension_request
from .recompute import recompute_provisional_deadlines
from .suspension import ticket_resume, ticket_suspend

__all__ = [
    "extension_approve",
    "extension_refuse",
    "extension_request",
    "recompute_provisional_deadlines",
    "ticket_resume",
    "ticket_suspend",
]
