"""gunicorn settings for the web process: ``gunicorn -c deploy/gunicorn.conf.py``.

Every value can be set from the environment (the same file serves one office's server and a
province's web farm). The app logs each request itself (JSON, with its request id), so gunicorn's
access log is off.
"""

import multiprocessing
import os
from pathlib import Path

wsgi_app = "config.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)

bind = os.environ.get("BIND", "127.0.0.1:8000").split(",")
# Sync workers: requests are short database work; uploads are buffered by the reverse proxy.
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(multiprocessing.cpu_count() * 2 + 1, 9))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: a slow leak in any library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Only the proxy in front may tell us the client's scheme and address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Large uploads: the proxy limits the body (client_max_body_size); here, header sizes only.
limit_request_line = 8190

accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

if os.environ.get("LOG_FORMAT", "json" if os.environ.get("DJANGO_ENV") == "production" else "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "ops.logging.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        },
    }
