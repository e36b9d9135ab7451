"""Benchmark settings: the product's settings on a dedicated PostgreSQL database, plus django-helpdesk
as the peer the lifecycle benchmark is compared with."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hezhang_bench")

from config.settings import *  # noqa: E402,F403
from config.settings import INSTALLED_APPS, VAR_DIR  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.sites", "helpdesk"]
SITE_ID = 1
HELPDESK_TEAMS_MODE_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "bench-media"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
ROOT_URLCONF = "benchmarks.urls"
