"""The API's own URLs, as config/urls.py mounts them, so these tests do not depend on the web UI's."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("api.urls")),
    path("open311/v2/", include("api.open311.urls")),
]
