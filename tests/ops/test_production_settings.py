"""DJANGO_ENV=production: refuses to start without its secrets; check --deploy has nothing to say."""

import pytest

from .conftest import manage, production_env


def test_check_deploy_reports_nothing_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(missing):
    result = manage("check", env=production_env(**{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_the_development_secret_key_and_sqlite():
    weak = manage("check", env=production_env(SECRET_KEY="dev-only-insecure-key-change-me"))
    assert weak.returncode != 0 and "SECRET_KEY" in weak.stderr
    sqlite = manage("check", env=production_env(DATABASE_URL="sqlite:////tmp/hezhang.sqlite3"))
    assert sqlite.returncode != 0 and "PostgreSQL" in sqlite.stderr


def _settings_in(env, expression):
    code = f"from django.conf import settings; from django.core.files.storage import storages; print({expression})"
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_settings_are_hardened():
    env = production_env(DEBUG="true")  # DEBUG in the environment cannot turn it on in production
    values = _settings_in(
        env,
        "settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
        " settings.SECURE_HSTS_SECONDS, settings.CSRF_TRUSTED_ORIGINS, settings.STORAGES['staticfiles']['BACKEND']",
    )
    assert values == (
        "False True True True 31536000 ['https://hezhang.example.gov.cn'] "
        "ops.staticfiles.StaticFilesStorage"
    )


def test_media_on_s3_compatible_storage_when_configured():
    env = production_env(MEDIA_STORAGE="s3", S3_BUCKET="hezhang-media", S3_ENDPOINT_URL="http://127.0.0.1:9000")
    backend = _settings_in(
        env,
        "type(storages['default']).__name__, settings.STORAGES['default']['OPTIONS']['default_acl']",
    )
    assert backend == "S3Storage private"
    no_bucket = manage("check", env=production_env(MEDIA_STORAGE="s3"))
    assert no_bucket.returncode != 0 and "S3_BUCKET" in no_bucket.stderr


def test_media_in_a_local_folder_by_default():
    backend = _settings_in(production_env(), "settings.STORAGES['default']['BACKEND']")
    assert backend == "django.core.files.storage.FileSystemStorage"
