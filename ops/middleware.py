"""Request ids, one structured log line per request, health probes, idle-session renewal."""

import logging
import re
import time
import uuid

from django.utils import timezone

from . import context, health

log = logging.getLogger("ops.request")

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
PROBE_PATHS = {"/healthz": health.healthz, "/readyz": health.readyz}


class HealthProbeMiddleware:
    """Answer /healthz and /readyz before anything else runs.

    Load balancers probe each machine by its address, which is not in ALLOWED_HOSTS, and over plain
    HTTP, which SECURE_SSL_REDIRECT would redirect; the probes need neither a session nor a user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBE_PATHS.get(request.path_info.rstrip("/"))
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)


class RequestIdMiddleware:
    """Give each request an id (the proxy's X-Request-ID when it sends a sane one), log it on every
    line written while the request runs, return it in the response, and log the request once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        id_token = context.request_id.set(request_id)
        ticket_token = context.ticket.set("")
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            context.request_id.reset(id_token)
            context.ticket.reset(ticket_token)


class IdleSessionMiddleware:
    """Keep a signed-in user's session alive while they use it; it ends SESSION_COOKIE_AGE after the
    last request. Renewed at most once a minute, so browsing does not write the session on every page."""

    RENEW_AFTER = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            seen = request.session.get("_ops_seen")
            if not isinstance(seen, int) or now - seen >= self.RENEW_AFTER:
                # Changing the session saves it, which moves its expiry (in the store and the cookie).
                request.session["_ops_seen"] = now
        return self.get_response(request)
