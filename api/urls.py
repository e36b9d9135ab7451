from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from .views import me, organisation, tickets, tokens
from .views.actions import ACTIONS, action_view
from .views.not_found import api_not_found

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("auth/token/", tokens.LoginTokenView.as_view(), name="auth-token"),
    path("tokens/", tokens.TokenListView.as_view(), name="token-list"),
    path("tokens/<int:pk>/", tokens.TokenDetailView.as_view(), name="token-detail"),
    path("tickets/", tickets.TicketListView.as_view(), name="ticket-list"),
    path("tickets/<str:number>/", tickets.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<str:number>/attachments/", tickets.AttachmentUploadView.as_view(), name="ticket-attachments"),
    *[
        path(f"tickets/<str:number>/{action.name}/", action_view(action), name=f"ticket-{action.name}")
        for action in ACTIONS
    ],
    path("attachments/<int:pk>/download/", tickets.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/tasks/", me.MyTasksView.as_view(), name="my-tasks"),
    path("me/notifications/", me.MyNotificationsView.as_view(), name="my-notifications"),
    path("me/notifications/read-all/", me.NotificationReadAllView.as_view(), name="my-notifications-read-all"),
    path("me/notifications/<int:pk>/read/", me.NotificationReadView.as_view(), name="my-notification-read"),
    path("areas/", organisation.AreaList.as_view(), name="area-list"),
    path("areas/<int:pk>/", organisation.AreaDetail.as_view(), name="area-detail"),
    path("rivers/", organisation.RiverList.as_view(), name="river-list"),
    path("rivers/<int:pk>/", organisation.RiverDetail.as_view(), name="river-detail"),
    path("segments/", organisation.SegmentList.as_view(), name="segment-list"),
    path("segments/<int:pk>/", organisation.SegmentDetail.as_view(), name="segment-detail"),
    path("chiefs/", organisation.ChiefList.as_view(), name="chief-list"),
    path("chiefs/<int:pk>/", organisation.ChiefDetail.as_view(), name="chief-detail"),
    # Anything else under /api/ answers 404 in the API's error shape, not the site's HTML page.
    re_path(r"^[\s\S]*$", api_not_found),
]
