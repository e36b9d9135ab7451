"""The organisation, read-only: areas, rivers, segments, and the chiefs in office."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from tickets.models import Area, ChiefAppointment, River, Segment

from ..serializers.organisation import AreaOut, ChiefOut, RiverOut, SegmentOut


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class AreaList(generics.ListAPIView):
    queryset = Area.objects.all()
    serializer_class = AreaOut
    filterset_fields = ["level", "parent"]


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class AreaDetail(generics.RetrieveAPIView):
    queryset = Area.objects.all()
    serializer_class = AreaOut


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class RiverList(generics.ListAPIView):
    queryset = River.objects.all()
    serializer_class = RiverOut


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class RiverDetail(generics.RetrieveAPIView):
    queryset = River.objects.all()
    serializer_class = RiverOut


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class SegmentList(generics.ListAPIView):
    queryset = Segment.objects.select_related("river", "area")
    serializer_class = SegmentOut
    filterset_fields = ["river", "area"]


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class SegmentDetail(generics.RetrieveAPIView):
    queryset = Segment.objects.select_related("river", "area")
    serializer_class = SegmentOut


def chiefs_in_office():
    current = ChiefAppointment.objects.filter(end_date__isnull=True).select_related("segment")
    # A subquery, not a join: "appointments__end_date__isnull" would also match users with no appointment.
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=ChiefAppointment.objects.filter(end_date__isnull=True).values("chief"))
        .order_by("id")
        .prefetch_related(Prefetch("appointments", queryset=current, to_attr="current_appointments"))
    )


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class ChiefList(generics.ListAPIView):
    serializer_class = ChiefOut

    def get_queryset(self):
        return chiefs_in_office()


@extend_schema_view(get=extend_schema(tags=["organisation"]))
class ChiefDetail(generics.RetrieveAPIView):
    serializer_class = ChiefOut

    def get_queryset(self):
        return chiefs_in_office()
