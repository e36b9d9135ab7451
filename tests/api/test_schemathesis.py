"""Property-based run over the whole OpenAPI schema (schemathesis), in-process through the WSGI app.

Every operation gets generated requests, authenticated as an office user, with the ticket number in
the path often swapped for a real ticket so the actions run against real state. Checks: no 5xx, and
every response conforms to the schema (status, content type, body). It runs in the normal suite and
so in CI; the number of examples per operation is kept small for the run time
(SCHEMATHESIS_MAX_EXAMPLES raises it for a longer local run).
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.auth import token_issue
from api.models import ApiToken
from tests.factories import UserFactory
from tickets.models import TicketState

from .conftest import flow_ticket

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def load_schema():
    """The schema of the API's own URLs (tests/api/urls.py), served by the real WSGI application."""
    document = SchemaGenerator(urlconf="tests.api.urls").get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture
def world(office, chief, segment):
    """Tickets in several states and credentials; the generated requests act on them."""
    tickets = [flow_ticket(state, office=office, chief=chief, segment=segment)
               for state in (TicketState.REPORTED, TicketState.RECTIFYING, TicketState.SUBMITTED,
                             TicketState.VERIFIED, TicketState.CLOSED)]
    token, secret = token_issue(actor=office, user=office, name="schemathesis")
    partner = UserFactory(username="partner", roles=["social_supervisor"])
    _key_row, api_key = token_issue(actor=partner, user=partner, name="open311")
    return {"numbers": [t.number for t in tickets], "token": token, "secret": secret, "api_key": api_key}


schema = load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The real WSGI handler closes the connection after each request; inside the test's transaction
    that would drop it (PostgreSQL). Django's own test client turns this off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@pytest.mark.django_db
def test_no_server_errors_and_responses_match_the_schema(case, world):
    # A generated DELETE /api/tokens/{id}/ may revoke our own token: give it back before each call.
    ApiToken.objects.filter(pk=world["token"].pk).update(revoked_at=None)
    params = case.path_parameters or {}
    if "number" in params and hash(str(case.body) + str(params["number"])) % 3:
        params["number"] = world["numbers"][hash(str(case.body)) % len(world["numbers"])]
    if case.path.startswith("/open311/") and case.method == "POST" and isinstance(case.body, dict):
        case.body = case.body | {"api_key": world["api_key"]}
    case.call_and_validate(headers={"Authorization": f"Bearer {world['secret']}"}, checks=CHECKS)
