"""OpenAPI pieces: the token scheme, the error shape on every operation, the Idempotency-Key header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <token>"}


class Open311ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.open311.views.ApiKeyAuthentication"
    name = "open311ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "query", "name": "api_key"}


IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="重试安全:同一键的重复请求返回第一次的结果 / a retry with the same key returns the first result.",
)


class ApiAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer, in the one error shape."""

    def _is_idempotent(self):
        handler = getattr(self.view, self.method.lower(), None)
        return self.method == "POST" and getattr(handler, "idempotent", False)

    def _error_codes(self):
        codes = [400, 401, 403, 404]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += [409, 415]
        if self._is_idempotent():
            codes.append(422)
        return codes

    def _get_response_bodies(self, direction="response"):
        from .serializers.errors import ErrorOut

        responses = super()._get_response_bodies(direction)
        error = getattr(self.view, "error_serializer", ErrorOut)
        for code in self._error_codes():
            responses.setdefault(str(code), self._get_response_for_code(error, str(code), direction=direction))
        return responses

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self._is_idempotent():
            params.append(IDEMPOTENCY_HEADER)
        return params
