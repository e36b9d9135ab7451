from .attachments import Attachment, AttachmentKind
from .events import EventKind, TicketEvent
from .organisation import Area, AreaLevel, ChiefAppointment, River, Segment
from .tickets import Category, Severity, Source, Ticket, TicketCounter, TicketState

__all__ = [
    "Area",
    "AreaLevel",
    "Attachment",
    "AttachmentKind",
    "Category",
    "ChiefAppointment",
    "EventKind",
    "River",
    "Segment",
    "Severity",
    "Source",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "TicketState",
]
