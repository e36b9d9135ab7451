import datetime as dt

import pytest
from rest_framework.test import APIClient

from api.auth import token_issue
from tests.factories import UserFactory
from tests.factories import flow_ticket_in_state as flow_ticket
from tickets.models import AttachmentKind, TicketState


def client_for(user):
    """An API client authenticated by a real token, as the patrol app is."""
    _token, secret = token_issue(actor=user, user=user, name="测试手机")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.user = user
    return client


@pytest.fixture(autouse=True)
def _api_urls(settings):
    settings.ROOT_URLCONF = "tests.api.urls"
    # The factories set a password per user: the production hasher would make each one take a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def steady_token_clock(monkeypatch):
    """A token's last-used time is written at most once a minute; keep that write out of query counts."""
    import api.auth

    monkeypatch.setattr(api.auth, "LAST_USED_RESOLUTION", dt.timedelta(days=365))


@pytest.fixture
def make_ticket(office, chief, segment):
    def make(state=TicketState.REPORTED, **kwargs):
        kwargs.setdefault("office", office)
        kwargs.setdefault("chief", chief)
        kwargs.setdefault("segment", segment)
        return flow_ticket(state, **kwargs)

    return make


@pytest.fixture
def api_for():
    return client_for


@pytest.fixture
def stranger(db):
    """A chief of another segment: sees none of this segment's tickets."""
    from tests.factories import AppointmentFactory

    return AppointmentFactory(chief__username="stranger").chief


@pytest.fixture
def nobody(db):
    """An active user with no role."""
    return UserFactory(username="nobody")


__all__ = ["AttachmentKind", "flow_ticket", "client_for"]
