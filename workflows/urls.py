"""The web UI's URLs, mounted at the site root inside viewflow's Material frame.

A viewflow Site holding one Application gives every page the frame, the menu and the
title; the application is mounted at "" so the pages keep the paths other parts of the
product link to (/tickets/<number>/).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, Site, route

from .views.actions import OpenTicketView, ticket_action
from .views.attachments import attachment_download
from .views.home import HomeView
from .views.ticket_detail import TicketDetailView
from .views.ticket_list import TicketListView


class TicketsApp(Application):
    title = _("问题整改")
    icon = "water_drop"
    app_name = "tickets"
    menu_template_name = "workflows/includes/menu.html"
    urlpatterns = [
        path("", HomeView.as_view(), name="home"),
        path("tickets/", TicketListView.as_view(), name="list"),
        path("tickets/new/", OpenTicketView.as_view(), name="open"),
        path("tickets/<str:number>/", TicketDetailView.as_view(), name="detail"),
        path("tickets/<str:number>/<slug:action>/", ticket_action, name="action"),
        path("attachments/<int:pk>/", attachment_download, name="attachment"),
    ]


class RiverChiefSite(Site):
    title = _("河长制问题整改")
    # One application: its own menu is the whole menu, so the site's list of applications is not shown.
    menu_template_name = None


tickets_app = TicketsApp()
site = RiverChiefSite(urlpatterns=[route("", tickets_app)])

urlpatterns = [path("", site.urls)]
