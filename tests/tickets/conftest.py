import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The factories give every user a password; PBKDF2 would make each user cost most of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
