"""One error shape for the whole API.

    {"error": {"code": "conflict", "message": "…", "message_en": "…",
               "fields": {"due_at": "…"}, "current_state": "submitted"}}

``message`` is in the request's language (Chinese by default); ``message_en`` is always English so
partner systems can log something they can read. ``fields`` and ``current_state`` appear when they
apply.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from tickets.errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError

logger = logging.getLogger(__name__)

ENGLISH = {
    "invalid": "The request is invalid; see fields.",
    "parse_error": "The request body could not be parsed.",
    "not_authenticated": "Authentication credentials were not provided.",
    "authentication_failed": "Invalid or revoked credentials.",
    "forbidden": "You may not take this action.",
    "not_found": "Not found, or not visible to you.",
    "method_not_allowed": "Method not allowed.",
    "not_acceptable": "Cannot produce a response in the requested format.",
    "unsupported_media_type": "Unsupported media type.",
    "conflict": "The ticket's state does not allow this action (it may have changed).",
    "idempotency_key_reused": "This Idempotency-Key was already used for a different request.",
    "throttled": "Too many requests.",
    "server_error": "Internal error; it has been logged.",
}

DRF_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "parse_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


class ApiError(exceptions.APIException):
    """An API-level error with its own code (e.g. a reused Idempotency-Key)."""

    def __init__(self, *, status_code, code, message):
        self.status_code = status_code
        self.error_code = code
        super().__init__(detail=message, code=code)


def error_body(code, message, *, fields=None, current_state=None, message_en=None):
    error = {"code": code, "message": force_str(message), "message_en": message_en or ENGLISH.get(code, code)}
    if fields:
        error["fields"] = {name: force_str(text) for name, text in fields.items()}
    if current_state is not None:
        error["current_state"] = current_state
    return {"error": error}


def flatten_detail(detail, prefix=""):
    """DRF's nested error detail as {"field" or "field.sub" or "items.0": "message; message"}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            name = "__all__" if key == "non_field_errors" else str(key)
            out.update(flatten_detail(value, f"{prefix}.{name}" if prefix else name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "__all__": "; ".join(force_str(item) for item in detail)}
        out = {}
        for index, item in enumerate(detail):
            out.update(flatten_detail(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "__all__": force_str(detail)}


def _response(status_code, body, headers=None):
    response = Response(body, status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def exception_handler(exc, context):
    if isinstance(exc, TicketPermissionDenied):
        return _response(403, error_body("forbidden", exc.message))
    if isinstance(exc, TicketStateConflict):
        return _response(409, error_body("conflict", exc.message, current_state=exc.current_state))
    if isinstance(exc, TicketValidationError):
        return _response(400, error_body("invalid", exc.message, fields=exc.errors))
    if isinstance(exc, Http404):
        return _response(404, error_body("not_found", _("未找到,或您无权查看。")))
    if isinstance(exc, DjangoPermissionDenied):
        return _response(403, error_body("forbidden", _("您无权执行此操作。")))
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        fields = {k: "; ".join(force_str(m) for m in v) for k, v in fields.items()}
        return _response(400, error_body("invalid", "; ".join(fields.values()), fields=fields))
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, ApiError):
            return _response(exc.status_code, error_body(exc.error_code, exc.detail), headers)
        code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), "invalid")
        if isinstance(exc, exceptions.ValidationError):
            fields = flatten_detail(exc.detail)
            message = _("提交的内容有误:") + "; ".join(f"{k}: {v}" for k, v in fields.items())
            return _response(exc.status_code, error_body(code, message, fields=fields), headers)
        return _response(exc.status_code, error_body(code, force_str(exc.detail)), headers)
    view = context.get("view")
    logger.exception("Unexpected error in %s", type(view).__name__ if view else "API view")
    return _response(status.HTTP_500_INTERNAL_SERVER_ERROR, error_body("server_error", _("服务器内部错误,已记录。")))
