"""The patrol API for the phone app: upload a patrol (safe to retry), list and read one's patrols.

A retried upload never makes two patrols: the phone generates ``client_uuid`` before the first
attempt and sends it every time; the column is unique, so a retry gets the stored patrol back
(200 instead of 201). An Idempotency-Key header is honoured as well (api.idempotency).
"""

import json

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from tickets.models import Category, Segment, Severity

from .models import Patrol
from .selectors import patrols_visible_to
from .services import patrol_record

try:  # the API app's Idempotency-Key handling, when it is installed
    from api.idempotency import idempotent
except ImportError:  # pragma: no cover
    def idempotent(handler):
        return handler


@extend_schema_field({"type": "array", "items": {"type": "object"}})
class JSONValueField(serializers.Field):
    """A list given as JSON in a JSON body, or as a JSON string in a multipart form."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else []
            except ValueError as exc:
                raise serializers.ValidationError(_("不是有效的 JSON。")) from exc
        if not isinstance(data, list):
            raise serializers.ValidationError(_("应为列表。"))
        return data

    def to_representation(self, value):
        return value


class FindingInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True)


class PatrolInput(serializers.Serializer):
    client_uuid = serializers.UUIDField(help_text=_("手机端在首次上传前生成;重试时保持不变。"))
    chief = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False,
                                               help_text=_("河长办代录时填写;河长本人上传不填。"))
    segment = serializers.SlugRelatedField(slug_field="code", queryset=Segment.objects.all())
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    distance_m = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    track = JSONValueField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    findings = JSONValueField(required=False)

    def validate_findings(self, value):
        serializer = FindingInput(data=value, many=True)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class PatrolOutput(serializers.Serializer):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    chief = serializers.IntegerField(source="chief_id")
    segment = serializers.CharField(source="segment.code")
    level = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    distance_m = serializers.IntegerField()
    track_points = serializers.SerializerMethodField()
    notes = serializers.CharField()
    is_valid = serializers.BooleanField()
    invalid_reason = serializers.CharField()
    photos = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField())
    def get_track_points(self, patrol):
        return len(patrol.track)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_photos(self, patrol):
        return [photo.original_name for photo in patrol.photos.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), help_text=_("发现问题所开工单的编号")))
    def get_findings(self, patrol):
        return [finding.ticket.number for finding in patrol.findings.select_related("ticket")]


class PatrolListCreateView(ListAPIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = PatrolOutput

    queryset = Patrol.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Patrol.objects.none()
        return patrols_visible_to(self.request.user).prefetch_related("photos")

    @extend_schema(request=PatrolInput, responses={200: PatrolOutput, 201: PatrolOutput})
    @idempotent
    def post(self, request):
        serializer = PatrolInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        patrol, created = patrol_record(
            actor=request.user, chief=data.get("chief") or request.user, segment=data["segment"],
            started_at=data["started_at"], ended_at=data["ended_at"], distance_m=data.get("distance_m"),
            track=data.get("track") or [], notes=data.get("notes", ""), photos=request.FILES.getlist("photos"),
            findings=data.get("findings") or [], client_uuid=data["client_uuid"],
        )
        return Response(PatrolOutput(patrol).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PatrolDetailView(GenericAPIView):
    serializer_class = PatrolOutput
    queryset = Patrol.objects.none()

    def get(self, request, client_uuid):
        patrol = get_object_or_404(patrols_visible_to(request.user), client_uuid=client_uuid)
        return Response(PatrolOutput(patrol).data)
