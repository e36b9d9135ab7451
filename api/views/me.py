"""What waits for me: my profile and roles, my open tasks."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

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
