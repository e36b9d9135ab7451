"""Open311 GeoReport v2: services, service definitions, requests (list, create, one), tokens.

Reads are public, as the standard expects, and show only tickets that came in as public reports
(other sources, e.g. discipline-inspection feedback, may be confidential). Creating a request needs
an ``api_key``: an API token of a user who may open tickets (a partner platform's account).
"""

import datetime as dt
import math
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.errors import TicketError, TicketPermissionDenied, TicketValidationError
from tickets.models import Category, EventKind, Segment, Source, Ticket, TicketEvent
from workflows import services

from ..auth import user_for_secret
from ..errors import flatten_detail
from ..idempotency import idempotent
from ..selectors import TICKET_NUMBER
from .renderers import Open311XMLRenderer
from .serializers import (
    CLOSED_STATES,
    Open311RequestCreatedOut,
    Open311RequestCreateIn,
    Open311RequestOut,
    Open311ServiceDefinitionOut,
    Open311ServiceOut,
    Open311TokenOut,
    service_definition_of,
    service_of,
)

MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)


class Open311Error(exceptions.APIException):
    def __init__(self, status_code, description):
        self.status_code = status_code
        super().__init__(detail=description)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """The standard's ``api_key`` parameter (query string or form body) is an API token."""

    def authenticate(self, request):
        key = request.query_params.get("api_key") or (
            request.data.get("api_key") if hasattr(request.data, "get") else None
        )
        if not key:
            return None
        user, token = user_for_secret(str(key))
        if user is None:
            raise exceptions.AuthenticationFailed(_("api_key 无效或已吊销。"))
        return user, token


def open311_exception_handler(exc, context):
    """Errors as the standard has them: [{"code": <http status>, "description": "..."}]."""
    if isinstance(exc, TicketPermissionDenied | exceptions.PermissionDenied | exceptions.NotAuthenticated
                  | exceptions.AuthenticationFailed):
        status_code, description = 403, getattr(exc, "message", None) or exc.detail
    elif isinstance(exc, TicketValidationError):
        status_code, description = 400, exc.message
    elif isinstance(exc, exceptions.ValidationError):
        status_code = 400
        description = "; ".join(f"{k}: {v}" for k, v in flatten_detail(exc.detail).items())
    elif isinstance(exc, Http404):
        status_code, description = 404, _("未找到。")
    elif isinstance(exc, TicketError):
        status_code, description = 409, exc.message
    elif isinstance(exc, exceptions.APIException):
        status_code, description = exc.status_code, exc.detail
    else:
        from ..errors import exception_handler

        return exception_handler(exc, context)
    return Response([{"code": status_code, "description": str(description)}], status=status_code)


FORMAT = OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["json", "xml"], description="json / xml")
JURISDICTION = OpenApiParameter("jurisdiction_id", str, description="可省略 / optional")


class Open311View(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, Open311XMLRenderer]
    xml_root, xml_item = "service_requests", "request"
    # The standard's error body: a list of {code, description}.
    error_serializer = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
            "required": ["code", "description"],
        },
    }

    def get_format_suffix(self, **kwargs):
        # The standard's ".json" / ".xml" suffix picks the renderer (named "fmt", not DRF's "format",
        # so that the endpoints appear in the OpenAPI schema, which leaves "{format}" paths out).
        return kwargs.get("fmt")

    def get_exception_handler(self):
        return open311_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        wanted = request.query_params.get("jurisdiction_id") or (
            request.data.get("jurisdiction_id") if request.method == "POST" and hasattr(request.data, "get") else None
        )
        expected = settings.OPEN311_JURISDICTION_ID
        if wanted and expected and wanted != expected:
            raise Open311Error(404, _("未知的 jurisdiction_id。"))


class ServiceListView(Open311View):
    xml_root, xml_item = "services", "service"

    @extend_schema(operation_id="open311_services_list", tags=["open311"], parameters=[FORMAT, JURISDICTION],
                   responses=Open311ServiceOut(many=True), auth=[])
    def get(self, request, fmt="json"):
        return Response([service_of(c) for c in Category.values])


class ServiceDefinitionView(Open311View):
    xml_root = "service_definition"

    @extend_schema(operation_id="open311_service_definition", tags=["open311"], parameters=[FORMAT, JURISDICTION],
                   responses=Open311ServiceDefinitionOut, auth=[])
    def get(self, request, service_code, fmt="json"):
        if service_code not in Category.values:
            raise Http404
        return Response(service_definition_of(service_code))


def public_requests():
    closing = TicketEvent.objects.filter(kind__in=[EventKind.CLOSED, EventKind.CANCELLED]).order_by("-seq")
    return (
        Ticket.objects.filter(source=Source.PUBLIC_REPORT)
        .select_related("segment__area")
        .prefetch_related(Prefetch("events", queryset=closing, to_attr="closing_events"))
        .order_by("-reported_at", "-id")
    )


def _when(request, name):
    text = request.query_params.get(name)
    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, _("%(name)s 须为 ISO 8601 日期时间。") % {"name": name})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 2000 <= value.year <= 2100:
        raise Open311Error(400, _("%(name)s 超出范围。") % {"name": name})
    return value


def _csv(request, name):
    return [item.strip() for item in request.query_params.get(name, "").split(",") if item.strip()]


class RequestListView(Open311View):
    @extend_schema(
        operation_id="open311_requests_list",
        tags=["open311"],
        parameters=[
            FORMAT, JURISDICTION,
            OpenApiParameter("service_request_id", str, description="逗号分隔;给出时忽略其它条件"),
            OpenApiParameter("service_code", str, description="逗号分隔"),
            OpenApiParameter("start_date", str, description="ISO 8601"),
            OpenApiParameter("end_date", str, description="ISO 8601"),
            OpenApiParameter("status", str, description="open / closed,逗号分隔"),
        ],
        responses=Open311RequestOut(many=True),
        auth=[],
    )
    def get(self, request, fmt="json"):
        requests = public_requests()
        ids = _csv(request, "service_request_id")
        if ids:
            requests = requests.filter(number__in=[i for i in ids if TICKET_NUMBER.fullmatch(i)][:MAX_RESULTS])
        else:
            codes = _csv(request, "service_code")
            if codes:
                requests = requests.filter(category__in=[c for c in codes if c in Category.values])
            statuses = set(_csv(request, "status"))
            if statuses - {"open", "closed"}:
                raise Open311Error(400, _("status 只能是 open 或 closed。"))
            if statuses == {"closed"}:
                requests = requests.filter(state__in=CLOSED_STATES)
            elif statuses == {"open"}:
                requests = requests.exclude(state__in=CLOSED_STATES)
            start, end = _when(request, "start_date"), _when(request, "end_date")
            # The standard's default window: the last 90 days, at most 90 days wide.
            if start and end and end - start > MAX_SPAN:
                raise Open311Error(400, _("start_date 与 end_date 相距不能超过 90 天。"))
            if start is None:
                start = (end or timezone.now()) - MAX_SPAN
            requests = requests.filter(reported_at__gte=start)
            if end is not None:
                requests = requests.filter(reported_at__lte=end)
        return Response(Open311RequestOut(requests[:MAX_RESULTS], many=True).data)

    @extend_schema(
        operation_id="open311_requests_create",
        tags=["open311"],
        parameters=[FORMAT],
        request={"application/x-www-form-urlencoded": Open311RequestCreateIn, "application/json": Open311RequestCreateIn},
        responses=Open311RequestCreatedOut(many=True),
        description="attribute[segment] = 河段编码;不填时落在 OPEN311_DEFAULT_SEGMENT_CODE,由河长办分派。",
    )
    @idempotent
    def post(self, request, fmt="json"):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(_("须提供 api_key。"))
        data = Open311RequestCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        for name in ("lat", "long"):
            if fields.get(name) is not None and not math.isfinite(fields[name]):
                raise Open311Error(400, _("%(name)s 须为有限数字。") % {"name": name})
        category = Category(fields["service_code"])
        address = fields.get("address_string", "").strip() or fields.get("address_id", "").strip()
        ticket = services.open_ticket(
            reporter=request.user,
            segment=self._segment(request),
            source=Source.PUBLIC_REPORT,
            category=category,
            description=fields.get("description", "").strip() or f"{category.label}({address or '见坐标'})",
            latitude=Decimal(str(fields["lat"])) if fields.get("lat") is not None else None,
            longitude=Decimal(str(fields["long"])) if fields.get("long") is not None else None,
            address=address[:200],
        )
        notice = _("已受理,由河长制办公室分派处理。")
        created = {"service_request_id": ticket.number, "service_notice": notice}
        if fields.get("account_id"):
            created["account_id"] = fields["account_id"]
        return Response([created])

    def _segment(self, request):
        """attribute[segment] if the client chose one, else the configured segment for the office to triage."""
        code = request.data.get("attribute[segment]") if hasattr(request.data, "get") else None
        if isinstance(request.data, dict) and isinstance(request.data.get("attribute"), dict):
            code = code or request.data["attribute"].get("segment")
        if code:
            segment = Segment.objects.filter(code=str(code)[:32].replace("\x00", "")).first()
            if segment is None:
                raise Open311Error(400, _("attribute[segment]: 未知的河段编码。"))
            return segment
        segment = Segment.objects.filter(code=settings.OPEN311_DEFAULT_SEGMENT_CODE).first() if (
            settings.OPEN311_DEFAULT_SEGMENT_CODE) else None
        if segment is None:
            raise Open311Error(400, _("attribute[segment]: 请填写河段编码(本系统未设默认河段)。"))
        return segment


class RequestDetailView(Open311View):
    @extend_schema(operation_id="open311_request_retrieve", tags=["open311"], parameters=[FORMAT, JURISDICTION],
                   responses=Open311RequestOut(many=True), auth=[])
    def get(self, request, service_request_id, fmt="json"):
        if not TICKET_NUMBER.fullmatch(service_request_id):
            raise Http404
        ticket = public_requests().filter(number=service_request_id).first()
        if ticket is None:
            raise Http404
        # The standard answers a one-element list here too.
        return Response(Open311RequestOut([ticket], many=True).data)


class TokenView(Open311View):
    @extend_schema(operation_id="open311_token_retrieve", tags=["open311"], parameters=[FORMAT, JURISDICTION],
                   responses=Open311TokenOut(many=True), auth=[])
    def get(self, request, token, fmt="json"):
        # Requests are created at once, so the token is the service_request_id itself.
        if not TICKET_NUMBER.fullmatch(token) or not public_requests().filter(number=token).exists():
            raise Http404
        return Response([{"service_request_id": token, "token": token}])


@csrf_exempt
def not_found(request, *args, **kwargs):
    return JsonResponse([{"code": 404, "description": _("未找到。")}], status=404, safe=False)
