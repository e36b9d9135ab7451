from django.utils.translation import gettext as _

from tickets.errors import TicketStateConflict, TicketValidationError


def require_text(value, field, message):
    text = (value or "").strip()
    if not text:
        raise TicketValidationError({field: message})
    return text


def require_state(ticket, states):
    if ticket.state not in states:
        raise TicketStateConflict(
            _("工单当前状态为「%(state)s」,不能执行此操作。") % {"state": ticket.get_state_display()},
            current_state=ticket.state,
        )
