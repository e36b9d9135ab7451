"""Open311 GeoReport v2 shapes, mapped from our categories and tickets."""

from django.conf import settings
from rest_framework import serializers

from tickets.models import AreaLevel, Category, Segment, TicketState

GROUPS = {
    Category.ILLEGAL_OCCUPATION: "四乱",
    Category.ILLEGAL_EXTRACTION: "四乱",
    Category.ILLEGAL_DUMPING: "四乱",
    Category.ILLEGAL_CONSTRUCTION: "四乱",
    Category.GARBAGE: "河道管护",
    Category.BANK_DAMAGE: "河道管护",
    Category.SEWAGE_OUTFALL: "水质",
    Category.OTHER: "其他",
}
KEYWORDS = {
    Category.ILLEGAL_OCCUPATION: "乱占,侵占河道,围垦,occupation",
    Category.ILLEGAL_EXTRACTION: "乱采,非法采砂,采石,sand mining",
    Category.ILLEGAL_DUMPING: "乱堆,倾倒,堆放,dumping",
    Category.ILLEGAL_CONSTRUCTION: "乱建,违章建筑,construction",
    Category.GARBAGE: "垃圾,漂浮物,garbage",
    Category.BANK_DAMAGE: "堤岸,护坡,设施损毁,bank",
    Category.SEWAGE_OUTFALL: "排污口,污水,sewage",
    Category.OTHER: "其他,other",
}
CLOSED_STATES = {TicketState.CLOSED, TicketState.CANCELLED}


def service_of(category):
    category = Category(category)
    return {
        "service_code": category.value,
        "service_name": str(category.label),
        "description": f"河湖问题:{category.label}",
        "metadata": True,
        "type": "realtime",
        "keywords": KEYWORDS[category],
        "group": GROUPS[category],
    }


def service_definition_of(category):
    segments = Segment.objects.select_related("river").order_by("code")
    return {
        "service_code": Category(category).value,
        "attributes": [
            {
                "variable": True,
                "code": "segment",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "河段编码 / segment code",
                "order": 1,
                "description": "问题所在河段;不填则由河长办分派。 / The river segment; if omitted the office triages.",
                "values": [{"key": s.code, "name": f"{s.river.name} · {s.name}"} for s in segments],
            }
        ],
    }


class Open311ServiceOut(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    metadata = serializers.BooleanField()
    type = serializers.ChoiceField(choices=["realtime", "batch", "blackbox"])
    keywords = serializers.CharField(allow_null=True)
    group = serializers.CharField(allow_null=True)


class Open311AttributeValueOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class Open311AttributeOut(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField()
    datatype = serializers.CharField()
    required = serializers.BooleanField()
    datatype_description = serializers.CharField(allow_null=True)
    order = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    values = Open311AttributeValueOut(many=True)


class Open311ServiceDefinitionOut(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = Open311AttributeOut(many=True)


class Open311RequestOut(serializers.Serializer):
    """One ticket as an Open311 service request (service_request_id = the ticket number)."""

    service_request_id = serializers.CharField(source="number")
    status = serializers.SerializerMethodField()
    status_notes = serializers.SerializerMethodField()
    service_name = serializers.CharField(source="get_category_display")
    service_code = serializers.CharField(source="category")
    description = serializers.CharField(allow_null=True)
    agency_responsible = serializers.SerializerMethodField()
    service_notice = serializers.SerializerMethodField()
    requested_datetime = serializers.DateTimeField(source="reported_at")
    updated_datetime = serializers.DateTimeField(source="updated_at", allow_null=True)
    expected_datetime = serializers.DateTimeField(source="due_at", allow_null=True)
    address = serializers.CharField(allow_null=True)
    address_id = serializers.SerializerMethodField()
    zipcode = serializers.SerializerMethodField()
    lat = serializers.FloatField(source="latitude", allow_null=True)
    long = serializers.FloatField(source="longitude", allow_null=True)
    media_url = serializers.SerializerMethodField()

    def get_status(self, ticket) -> str:
        return "closed" if ticket.state in CLOSED_STATES else "open"

    def get_status_notes(self, ticket) -> str | None:
        note = str(ticket.get_state_display())
        closing = getattr(ticket, "closing_events", None)
        if ticket.state in CLOSED_STATES and closing:
            text = closing[0].payload.get("reason") or closing[0].payload.get("comment")
            if text:
                note = f"{note}:{text}"
        return note

    def get_agency_responsible(self, ticket) -> str | None:
        area = ticket.segment.area.name
        if ticket.responsible_level in AreaLevel.values:
            return f"{area}{AreaLevel(ticket.responsible_level).label}河长"
        return f"{area}{settings.OPEN311_AGENCY_NAME}"

    def get_service_notice(self, ticket) -> str | None:
        return None

    def get_address_id(self, ticket) -> str | None:
        return None

    def get_zipcode(self, ticket) -> str | None:
        return None

    def get_media_url(self, ticket) -> str | None:
        return None


class Open311RequestCreatedOut(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(required=False)


class Open311TokenOut(serializers.Serializer):
    service_request_id = serializers.CharField(allow_null=True)
    token = serializers.CharField()


class Open311RequestCreateIn(serializers.Serializer):
    """The standard's POST fields. A location is required: lat and long, or address_string, or address_id."""

    api_key = serializers.CharField(required=False, allow_blank=True, max_length=200)
    jurisdiction_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    service_code = serializers.ChoiceField(choices=Category.choices)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    long = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address_string = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    media_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    email = serializers.CharField(required=False, allow_blank=True, max_length=200)
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    account_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)

    def validate(self, attrs):
        has_point = attrs.get("lat") is not None and attrs.get("long") is not None
        if (attrs.get("lat") is None) != (attrs.get("long") is None):
            raise serializers.ValidationError({"long" if attrs.get("lat") is not None else "lat": "经纬度须同时填写。"})
        if not (has_point or attrs.get("address_string", "").strip() or attrs.get("address_id", "").strip()):
            raise serializers.ValidationError(
                {"lat": "须提供位置:lat/long、address_string 或 address_id 之一。"}
            )
        return attrs
