"""Hardening, applied at the end of config/settings.py: ``apply(globals())``.

Two parts. The first applies in every mode, so that development and the test suite run what
production runs: login throttling (django-axes), the password policy, idle-session expiry, the
Content Security Policy, the media storage, request ids and structured logs. The second applies
only with DJANGO_ENV=production: it refuses to start without its secrets, turns DEBUG off, makes
every cookie and redirect HTTPS-only (so that ``manage.py check --deploy`` has nothing to report)
and serves the collected static files from the app (whitenoise).

Everything reads the environment, with safe embedded defaults (house style rule 11).
"""

import os

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")


def _bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _insert_after(items, anchor, new):
    """Put ``new`` right after ``anchor`` (or first when the anchor is absent), once."""
    if new in items:
        return
    index = items.index(anchor) + 1 if anchor in items else 0
    items.insert(index, new)


def is_production():
    return os.environ.get("DJANGO_ENV", "").strip().lower() == "production"


def apply(s):
    """Apply hardening to the settings namespace ``s`` (the globals() of config.settings)."""
    _apply_common(s)
    if is_production():
        _apply_production(s)


def _apply_common(s):
    for app in ("axes", "csp", "ops"):
        if app not in s["INSTALLED_APPS"]:
            s["INSTALLED_APPS"].append(app)

    middleware = s["MIDDLEWARE"]
    # Health probes are answered before the host check: load balancers probe by IP address.
    middleware.insert(0, "ops.middleware.HealthProbeMiddleware")
    _insert_after(middleware, "ops.middleware.HealthProbeMiddleware", "ops.middleware.RequestIdMiddleware")
    _insert_after(middleware, "django.middleware.security.SecurityMiddleware", "csp.middleware.CSPMiddleware")
    _insert_after(
        middleware, "django.contrib.auth.middleware.AuthenticationMiddleware", "ops.middleware.IdleSessionMiddleware"
    )
    # Axes last: it turns a lockout (raised during authentication) into its response.
    middleware.append("axes.middleware.AxesMiddleware")

    # Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address, that pair is
    # locked for AXES_COOLOFF_HOURS. Locking the pair (not the username alone) stops an attacker from
    # locking a chief out of the system by typing their name wrong on purpose.
    s["AUTHENTICATION_BACKENDS"] = [
        "axes.backends.AxesStandaloneBackend",
        *s.get("AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]),
    ]
    s["AXES_ENABLED"] = _bool("AXES_ENABLED", True)
    s["AXES_FAILURE_LIMIT"] = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
    s["AXES_COOLOFF_TIME"] = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
    s["AXES_LOCKOUT_PARAMETERS"] = [["username", "ip_address"]]
    s["AXES_RESET_ON_SUCCESS"] = True
    s["AXES_LOCKOUT_TEMPLATE"] = "ops/lockout.html"
    # Behind a proxy the client address is the left-most X-Forwarded-For entry the proxies added.
    s["AXES_IPWARE_PROXY_COUNT"] = int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) or None
    s["AXES_IPWARE_META_PRECEDENCE_ORDER"] = (
        ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if os.environ.get("TRUSTED_PROXY_COUNT") else ["REMOTE_ADDR"]
    )

    # Password policy: long enough, and three of four character classes (the usual reading of GB/T 22239).
    s["AUTH_PASSWORD_VALIDATORS"] = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        {"NAME": "ops.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    ]

    # Idle sessions end: the session lives SESSION_IDLE_TIMEOUT seconds from the last request
    # (ops.middleware.IdleSessionMiddleware renews it at most once a minute, not on every request).
    s["SESSION_COOKIE_AGE"] = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(60 * 60)))
    s["SESSION_COOKIE_HTTPONLY"] = True
    s["SESSION_COOKIE_SAMESITE"] = "Lax"

    # Content Security Policy. Scripts only from this site (viewflow's Material frontend loads all of
    # its scripts from files; a template that needs an inline script uses nonce="{{ request.csp_nonce }}").
    # Styles allow 'unsafe-inline': the Material templates use style="" attributes throughout, which
    # no nonce can cover, and a style cannot run code.
    s["CONTENT_SECURITY_POLICY"] = {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, NONCE],
            "style-src": [SELF, UNSAFE_INLINE],
            "img-src": [SELF, "data:", "blob:", *_list("CSP_IMG_SRC")],
            "font-src": [SELF, "data:"],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
            "report-uri": "/csp-report/",
        },
    }

    # Media (attachments): a local folder by default, S3-compatible object storage with MEDIA_STORAGE=s3.
    storages = dict(s.get("STORAGES") or {})
    storages.setdefault("staticfiles", {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"})
    if os.environ.get("MEDIA_STORAGE", "local").strip().lower() == "s3":
        storages["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options()}
    else:
        storages.setdefault("default", {"BACKEND": "django.core.files.storage.FileSystemStorage"})
    s["STORAGES"] = storages

    s["OPS_METRICS_TOKEN"] = os.environ.get("METRICS_TOKEN", "")
    # /readyz fails when the beat heartbeat is older than this (beat writes one every 30 seconds).
    s["OPS_BEAT_MAX_AGE"] = int(os.environ.get("BEAT_MAX_AGE", "180"))
    s["OPS_READYZ_REQUIRE_BEAT"] = _bool("READYZ_REQUIRE_BEAT", True)
    # The workers log through Django's LOGGING (JSON in production), not Celery's own format.
    s["CELERY_WORKER_HIJACK_ROOT_LOGGER"] = False
    s["LOGGING"] = _logging(os.environ.get("LOG_FORMAT", "json" if is_production() else "text"))


def _s3_options():
    bucket = os.environ.get("S3_BUCKET", "")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a non-AWS service).")
    return {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY") or None,
        "secret_key": os.environ.get("S3_SECRET_KEY") or None,
        "location": os.environ.get("S3_PREFIX", ""),
        # Attachments are evidence: private objects, never overwritten, reached only through the
        # permission-checked download view (which may redirect to a short-lived signed URL).
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": 300,
        "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
    }


def _logging(fmt):
    formatter = "json" if fmt == "json" else "text"
    level = os.environ.get("LOG_LEVEL", "INFO")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "ops.logging.ContextFilter"}},
        "formatters": {
            "json": {"()": "ops.logging.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # ops.middleware logs every request once (status, duration, request id); Django's own
            # warnings for each 4xx would repeat that. Its 5xx errors, with their traceback, stay.
            "django.request": {"level": "ERROR"},
        },
    }


def _apply_production(s):
    missing = [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name, "").strip()]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: " + ", ".join(missing)
        )
    if os.environ["SECRET_KEY"] == "dev-only-insecure-key-change-me" or len(os.environ["SECRET_KEY"]) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")
    if s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DJANGO_ENV=production needs a PostgreSQL DATABASE_URL.")

    s["DEBUG"] = False
    s["SECRET_KEY"] = os.environ["SECRET_KEY"]
    s["ALLOWED_HOSTS"] = _list("ALLOWED_HOSTS")
    s["CSRF_TRUSTED_ORIGINS"] = _list("CSRF_TRUSTED_ORIGINS") or [
        f"https://{host.lstrip('.')}" for host in s["ALLOWED_HOSTS"] if host != "*" and not host.startswith(".")
    ]

    # TLS ends at the load balancer / reverse proxy, which must set (overwrite) X-Forwarded-Proto.
    header = os.environ.get("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO").strip()
    if header:
        s["SECURE_PROXY_SSL_HEADER"] = (header, "https")
    s["SECURE_SSL_REDIRECT"] = _bool("SECURE_SSL_REDIRECT", True)
    s["SESSION_COOKIE_SECURE"] = True
    s["CSRF_COOKIE_SECURE"] = True
    s["SECURE_HSTS_SECONDS"] = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    s["SECURE_HSTS_PRELOAD"] = _bool("SECURE_HSTS_PRELOAD", True)
    s["SECURE_REFERRER_POLICY"] = "same-origin"
    s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] = "same-origin"
    s["X_FRAME_OPTIONS"] = "DENY"

    # Static files from the app itself (whitenoise), so no other web server is needed. collectstatic
    # writes hashed, compressed copies; pages link to those, and browsers may cache them for a year.
    _insert_after(s["MIDDLEWARE"], "django.middleware.security.SecurityMiddleware", "whitenoise.middleware.WhiteNoiseMiddleware")
    s["STORAGES"]["staticfiles"] = {"BACKEND": "ops.staticfiles.StaticFilesStorage"}
