from django.contrib.auth import get_user_model
from rest_framework import serializers

from tickets.models import Area, ChiefAppointment, River, Segment


class AreaOut(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "level_display", "parent"]


class RiverOut(serializers.ModelSerializer):
    class Meta:
        model = River
        fields = ["id", "code", "name"]


class SegmentRefOut(serializers.ModelSerializer):
    """A segment as a ticket shows it: with its river and area names (loaded by the selector)."""

    river = serializers.CharField(source="river.name", read_only=True)
    area = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Segment
        fields = ["id", "code", "name", "river", "area"]


class SegmentOut(serializers.ModelSerializer):
    river = RiverOut(read_only=True)
    area = AreaOut(read_only=True)

    class Meta:
        model = Segment
        fields = ["id", "code", "name", "river", "area"]


class UserRefOut(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class AppointmentOut(serializers.ModelSerializer):
    segment = serializers.CharField(source="segment.code", read_only=True)
    segment_name = serializers.CharField(source="segment.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = ChiefAppointment
        fields = ["segment", "segment_name", "level", "level_display", "start_date"]


class ChiefOut(UserRefOut):
    appointments = AppointmentOut(source="current_appointments", many=True, read_only=True)

    class Meta(UserRefOut.Meta):
        fields = [*UserRefOut.Meta.fields, "appointments"]
