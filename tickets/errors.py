"""Domain errors: what went wrong, in words a user can read, and a code a client can test."""

from django.utils.translation import gettext_lazy as _


class TicketError(Exception):
    code = "error"
    default_message = _("操作失败。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class TicketPermissionDenied(TicketError):
    code = "forbidden"
    default_message = _("您无权执行此操作。")


class TicketStateConflict(TicketError):
    """Wrong state for the action, or another user acted first."""

    code = "conflict"
    default_message = _("工单状态已变化,无法执行此操作。")

    def __init__(self, message=None, *, current_state):
        self.current_state = current_state
        super().__init__(message)


class TicketValidationError(TicketError):
    code = "invalid"
    default_message = _("提交的内容有误。")

    def __init__(self, errors, message=None):
        # {field name: message}; "__all__" for what belongs to no one field.
        self.errors = errors
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in errors.items()))
