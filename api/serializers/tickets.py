"""Tickets: what the API shows (output) and what it accepts to open one (input)."""

from rest_framework import serializers

from tickets.models import (
    Attachment,
    AttachmentKind,
    Category,
    Segment,
    Severity,
    Source,
    Ticket,
    TicketEvent,
)

from .fields import DeadlineField  # noqa: F401  (re-exported for action inputs)
from .organisation import SegmentRefOut, UserRefOut


class TicketListOut(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    segment = SegmentRefOut(read_only=True)
    responsible_chief = UserRefOut(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True,
                                        allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True,
                                         allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "number", "state", "state_display", "source", "source_display", "category", "category_display",
            "severity", "severity_display", "segment", "responsible_chief", "responsible_level", "due_at",
            "overdue", "description", "address", "latitude", "longitude", "reported_at", "updated_at",
        ]
        read_only_fields = fields


class EventOut(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = UserRefOut(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = ["seq", "kind", "kind_display", "actor", "from_state", "to_state", "payload", "created_at"]
        read_only_fields = fields


class AttachmentOut(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id", "kind", "kind_display", "original_name", "content_type", "size", "sha256", "uploaded_by",
            "uploaded_at", "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        from django.urls import reverse

        path = reverse("api:attachment-download", kwargs={"pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TicketDetailOut(TicketListOut):
    reporter = UserRefOut(read_only=True)
    events = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(TicketListOut.Meta):
        fields = [
            *TicketListOut.Meta.fields,
            "source_reference", "received_on", "reporter", "instructions", "measures", "rejection_count",
            "escalation_level", "assigned_at", "started_at", "submitted_at", "verified_at", "closed_at",
            "cancelled_at", "allowed_actions", "attachments", "events",
        ]
        read_only_fields = fields

    @staticmethod
    def _history(ticket):
        from tickets.selectors import ticket_history

        return ticket_history(ticket=ticket)

    def get_events(self, ticket) -> EventOut(many=True):
        return EventOut(self._history(ticket), many=True, context=self.context).data

    def get_attachments(self, ticket) -> AttachmentOut(many=True):
        return AttachmentOut(ticket.attachments.all(), many=True, context=self.context).data

    def get_allowed_actions(self, ticket) -> list[str]:
        from ..views.actions import allowed_actions

        request = self.context.get("request")
        return allowed_actions(ticket, request.user) if request else []


class CodeRelatedField(serializers.SlugRelatedField):
    """A code lookup that refuses NUL bytes before the query (PostgreSQL rejects them with an error)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class TicketCreateIn(serializers.Serializer):
    segment = CodeRelatedField(slug_field="code", queryset=Segment.objects.all(), help_text="河段编码 / segment code")
    source = serializers.ChoiceField(choices=Source.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MINOR)
    description = serializers.CharField(max_length=4000)
    source_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        min_value=-90, max_value=90, default=None)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True,
                                         min_value=-180, max_value=180, default=None)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AttachmentIn(serializers.Serializer):
    file = serializers.FileField(max_length=200, allow_empty_file=False)
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
