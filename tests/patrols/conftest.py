import pytest

from tests.oversight.scenario import build


@pytest.fixture
def world(db):
    return build()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
