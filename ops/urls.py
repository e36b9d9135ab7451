from django.urls import path

from . import views

app_name = "ops"

# /healthz and /readyz are answered by ops.middleware.HealthProbeMiddleware, before the host check.
urlpatterns = [
    path("ops/status/", views.status, name="status"),
    path("metrics", views.metrics, name="metrics"),
    path("csp-report/", views.csp_report, name="csp_report"),
]
