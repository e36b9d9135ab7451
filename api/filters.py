"""The UI's ticket filters (workflows.filters.TicketFilter), with types the OpenAPI schema can state."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tickets.models import Area
from workflows.filters import TicketFilter


@extend_schema_field(OpenApiTypes.INT)
class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    """An area id; the filter method covers the area and the areas below it."""


class ApiTicketFilter(TicketFilter):
    area = AreaChoiceFilter(label=_("区域"), queryset=Area.objects.all(), method="filter_area")
