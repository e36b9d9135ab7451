"""What waits for me: my profile and roles, my open tasks, my notifications."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.channels import inapp
from notifications.models import Notification
from tickets import rules
from workflows.flows import TASK_FOR_STATE
from workflows.selectors import inbox_tickets

from ..selectors import with_overdue
from ..serializers.organisation import UserRefOut
from ..serializers.tickets import TicketListOut


class MeOut(UserRefOut):
    roles = serializers.SerializerMethodField()

    class Meta(UserRefOut.Meta):
        fields = [*UserRefOut.Meta.fields, "roles"]

    def get_roles(self, user) -> list[str]:
        return sorted(rules.roles_of(user))


class TaskOut(TicketListOut):
    step = serializers.SerializerMethodField(help_text="待办步骤:assign / rectify / verify / close")

    class Meta(TicketListOut.Meta):
        fields = ["step", *TicketListOut.Meta.fields]
        read_only_fields = fields

    def get_step(self, ticket) -> str:
        return TASK_FOR_STATE.get(ticket.state, "")


class MeView(APIView):
    @extend_schema(operation_id="me_retrieve", tags=["me"], responses=MeOut)
    def get(self, request):
        return Response(MeOut(request.user).data)


class MyTasksView(generics.ListAPIView):
    """The tickets whose open task waits for me, the most urgent deadline first (the UI's inbox)."""

    serializer_class = TaskOut
    filter_backends = []

    def get_queryset(self):
        return with_overdue(inbox_tickets(self.request.user).select_related("reporter"))

    @extend_schema(operation_id="me_tasks_list", tags=["me"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationOut(serializers.ModelSerializer):
    ticket = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "ticket", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class ReadAllOut(serializers.Serializer):
    marked = serializers.IntegerField()


class MyNotificationsView(generics.ListAPIView):
    """My in-app notifications, unread first (the notification centre's list)."""

    serializer_class = NotificationOut
    filter_backends = []

    def get_queryset(self):
        notifications = inapp.inbox(self.request.user)
        unread = self.request.query_params.get("unread", "").lower()
        if unread in ("1", "true"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    @extend_schema(
        operation_id="me_notifications_list",
        tags=["me"],
        parameters=[OpenApiParameter("unread", bool, description="只看未读")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    @extend_schema(operation_id="me_notifications_read", tags=["me"], request=None, responses=NotificationOut)
    def post(self, request, pk):
        notification = inapp.mark_read(user=request.user, notification_id=pk) if 0 < pk < 2**63 else None
        if notification is None:
            raise Http404
        return Response(NotificationOut(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(operation_id="me_notifications_read_all", tags=["me"], request=None, responses=ReadAllOut)
    def post(self, request):
        return Response({"marked": inapp.mark_all_read(user=request.user)})
