from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before "api/": the API answers anything else under /api/ with its own 404.
    path("api/patrols/", include("patrols.api_urls")),
    path("api/", include("api.urls")),
    path("open311/v2/", include("api.open311.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", include("notifications.urls")),
    path("oversight/", include("oversight.urls")),
    path("patrols/", include("patrols.urls")),
    path("", include("ops.urls")),
]

# Attachments are served only through the permission-checked /attachments/<id>/ view, never from MEDIA_URL.

# The web UI (workflows/urls.py) is mounted last: it owns the site root.
urlpatterns += [path("", include("workflows.urls"))]
