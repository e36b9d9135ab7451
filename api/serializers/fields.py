import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class DeadlineField(serializers.Field):
    """A deadline as a date ("2025-06-30": the end of that day, office time) or an ISO 8601 datetime."""

    default_error_messages = {
        "invalid": _("请填写日期(YYYY-MM-DD)或日期时间(ISO 8601)。"),
        "range": _("日期须在 2000 年至 2100 年之间。"),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        text = data.strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            value = None
        if value is None:
            try:
                value = serializers.DateTimeField().to_internal_value(text)
            except serializers.ValidationError:
                self.fail("invalid")
        if not 2000 <= value.year <= 2100:
            self.fail("range")
        return value

    def to_representation(self, value):
        return value.isoformat()
