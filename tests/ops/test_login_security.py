"""Login throttling (django-axes), the password policy, and idle sessions ending."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, username, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_that_username_from_that_address(client, throttled):
    UserFactory(username="chief_a")
    for _ in range(2):
        response = _login(client, "chief_a", "guess")
        assert response.status_code == 200  # the form again, with its error
    assert _login(client, "chief_a", "guess").status_code == 429  # the third failure locks

    # Locked: even the right password is refused from this address...
    locked = _login(client, "chief_a", PASSWORD)
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # ...but a guesser elsewhere cannot lock the chief out of their own office.
    assert _login(client, "chief_a", PASSWORD, address="198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, throttled):
    UserFactory(username="chief_b")
    _login(client, "chief_b", "guess")
    _login(client, "chief_b", "guess")
    assert _login(client, "chief_b", PASSWORD).status_code == 302
    client.logout()
    _login(client, "chief_b", "guess")
    assert _login(client, "chief_b", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "ALLUPPER2026X", "12345678901", "password123"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["hezhang-demo-2026", "Qingshui River 7", "清水河巡查2026abc"])
def test_passwords_of_three_character_classes_pass(password):
    validate_password(password)


@pytest.mark.django_db
def test_an_idle_session_ends_and_an_active_one_is_renewed(client, settings):
    user = UserFactory(username="office_c", roles=["office"])
    client.force_login(user)
    home = reverse("tickets:home")
    assert client.get(home).status_code == 200

    # Used a few minutes later: the session's end moves to SESSION_COOKIE_AGE from now.
    session = client.session
    session["_ops_seen"] = int((timezone.now() - dt.timedelta(minutes=5)).timestamp())
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    assert client.get(home).status_code == 200
    renewed = Session.objects.get(session_key=session.session_key).expire_date
    assert renewed > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # Idle past the limit: the session is gone and the next page asks for the login again.
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
