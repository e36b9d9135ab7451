from django.urls import path

from . import api

app_name = "patrols_api"

urlpatterns = [
    path("", api.PatrolListCreateView.as_view(), name="list"),
    path("<uuid:client_uuid>/", api.PatrolDetailView.as_view(), name="detail"),
]
