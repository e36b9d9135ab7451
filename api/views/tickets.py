"""Tickets: list (the UI's filters, search, ordering, pages), open, detail, attachments."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets import rules
from tickets.errors import TicketPermissionDenied
from tickets.models import Attachment
from tickets.selectors import tickets_visible_to
from workflows import services

from ..filters import ApiTicketFilter
from ..idempotency import idempotent
from ..selectors import api_ticket_list, ticket_for_response, visible_ticket
from ..serializers.tickets import AttachmentIn, AttachmentOut, TicketCreateIn, TicketDetailOut, TicketListOut


def detail_data(ticket, request):
    return TicketDetailOut(ticket_for_response(ticket), context={"request": request}).data


class TicketListView(generics.GenericAPIView):
    serializer_class = TicketListOut
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiTicketFilter

    def get_queryset(self):
        return api_ticket_list(viewer=self.request.user)

    @extend_schema(operation_id="tickets_list", summary="工单列表 / list tickets", responses=TicketListOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TicketListOut(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="tickets_create",
        summary="上报问题 / open a ticket",
        description="河长办、监督员、河长(巡河发现)可上报。",
        request=TicketCreateIn,
        responses={201: TicketDetailOut},
    )
    @idempotent
    def post(self, request):
        if not rules.may_open(request.user):
            raise TicketPermissionDenied(_("您无权上报问题。"))
        data = TicketCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.open_ticket(reporter=request.user, **data.validated_data)
        return Response(detail_data(ticket, request), status=status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    @extend_schema(operation_id="tickets_retrieve", summary="工单详情(含审计记录与附件)", responses=TicketDetailOut)
    def get(self, request, number):
        ticket = visible_ticket(viewer=request.user, number=number)
        return Response(TicketDetailOut(ticket, context={"request": request}).data)


class AttachmentUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tickets_attachments_create",
        summary="上传附件 / upload an attachment",
        request={"multipart/form-data": AttachmentIn},
        responses={201: AttachmentOut},
    )
    @idempotent
    def post(self, request, number):
        ticket = visible_ticket(viewer=request.user, number=number)
        if not rules.may_attach(ticket, request.user):
            raise TicketPermissionDenied()
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            ticket=ticket, actor=request.user, upload=data.validated_data["file"], kind=data.validated_data["kind"]
        )
        return Response(AttachmentOut(attachment, context={"request": request}).data, status=status.HTTP_201_CREATED)


class FileRenderer(BaseRenderer):
    """Lets a client that asks for the file's type get it; errors still go out as JSON."""

    media_type = "application/octet-stream"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data) if isinstance(data, dict | list) else data


class AttachmentDownloadView(APIView):
    renderer_classes = [JSONRenderer, FileRenderer]

    @extend_schema(
        operation_id="attachments_download",
        summary="下载附件 / download an attachment",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        attachment = (
            Attachment.objects.filter(pk=pk, ticket__in=tickets_visible_to(request.user)).first()
            if 0 < pk < 2**63 else None
        )
        if attachment is None:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
