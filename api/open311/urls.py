"""/open311/v2/…: each endpoint with the standard's .json or .xml suffix."""

from django.urls import path, re_path, register_converter

from . import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "o311fmt")

app_name = "open311"

urlpatterns = []
for route, view, name in [
    ("services", views.ServiceListView, "services"),
    ("services/<str:service_code>", views.ServiceDefinitionView, "service-definition"),
    ("requests", views.RequestListView, "requests"),
    ("requests/<str:service_request_id>", views.RequestDetailView, "request"),
    ("tokens/<str:token>", views.TokenView, "token"),
]:
    urlpatterns += [path(f"{route}.<o311fmt:fmt>", view.as_view(), name=name)]

# Anything else under /open311/v2/ (e.g. an unknown format suffix) answers the standard's 404.
urlpatterns += [re_path(r"^[\s\S]*$", views.not_found)]
