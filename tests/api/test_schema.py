import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_and_validates(tmp_path, settings):
    """drf-spectacular's own check: the OpenAPI 3 document is valid and nothing had to be guessed."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--urlconf", settings.ROOT_URLCONF,
                 "--file", str(out))
    text = out.read_text()
    for path in ["/api/tickets/{number}/assign/", "/api/tickets/{number}/extension-decide/",
                 "/api/me/notifications/", "/open311/v2/requests.{fmt}"]:
        assert f"  {path}:" in text


def test_schema_endpoint_and_offline_docs(office, api_for):
    client = api_for(office)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "tokenAuth" in document["components"]["securitySchemes"]
    # Every operation documents the error shape.
    assign = document["paths"]["/api/tickets/{number}/assign/"]["post"]
    assert {"200", "400", "403", "404", "409", "422"} <= set(assign["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in assign["parameters"])

    docs = APIClient().get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI comes from the sidecar's static files, never a CDN ...
    assert "drf_spectacular_sidecar" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    # ... and no inline script, so the site's Content-Security-Policy (script-src 'self') lets it run.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    init = APIClient().get("/api/docs/", {"script": ""})
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()


def test_the_project_mounts_the_api(settings, office, api_for):
    """config/urls.py serves the same endpoints these tests reach through tests/api/urls.py."""
    settings.ROOT_URLCONF = "config.urls"
    client = api_for(office)
    assert client.get("/api/tickets/").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/api/no-such-endpoint/").json()["error"]["code"] == "not_found"
