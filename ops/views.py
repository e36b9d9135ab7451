"""Operator pages: the status page (staff), Prometheus metrics (token or staff), CSP reports."""

import hmac
import json
import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .health import run_checks
from .selectors import operational_counts

log = logging.getLogger("ops.csp")


@never_cache
@staff_member_required
def status(request):
    healthy, checks = run_checks()
    context = {
        **admin.site.each_context(request),
        "title": "运行状态",
        "counts": operational_counts(),
        "healthy": healthy,
        "checks": checks,
    }
    return render(request, "ops/status.html", context)


def _may_read_metrics(request):
    token = settings.OPS_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())
    user = getattr(request, "user", None)
    return bool(user and user.is_active and user.is_staff)


def _metric_lines(counts, healthy, checks):
    def gauge(name, help_text, samples):
        yield f"# HELP {name} {help_text}"
        yield f"# TYPE {name} gauge"
        for labels, value in samples:
            label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
            yield f"{name}{{{label_text}}} {value}" if label_text else f"{name} {value}"

    yield from gauge("hezhang_ready", "1 when every readiness check passes.", [({}, int(healthy))])
    yield from gauge(
        "hezhang_check_ok", "1 when the readiness check passes.",
        [({"check": name}, int(result["ok"])) for name, result in checks.items()],
    )
    yield from gauge(
        "hezhang_tickets", "Tickets by state.",
        [({"state": state}, n) for state, n in counts["tickets_by_state"].items()],
    )
    yield from gauge("hezhang_tickets_open", "Tickets neither closed nor cancelled.", [({}, counts["tickets_open"])])
    yield from gauge("hezhang_tickets_overdue", "Tickets past their deadline.", [({}, counts["tickets_overdue"])])
    yield from gauge(
        "hezhang_outbox_deliveries", "Notification deliveries by status.",
        [({"status": status}, n) for status, n in counts["outbox"].items()],
    )
    runs = [({"task": "beat"}, counts["beat_seen_at"].timestamp())] if counts["beat_seen_at"] else []
    runs += [({"task": name}, seen.timestamp()) for name, seen in counts["periodic_runs"].items()]
    yield from gauge("hezhang_last_run_timestamp_seconds", "When beat, and each task it schedules, last ran.", runs)


@never_cache
def metrics(request):
    if not _may_read_metrics(request):
        return HttpResponseForbidden("metrics: staff session or Authorization: Bearer <METRICS_TOKEN>\n")
    healthy, checks = run_checks()
    body = "\n".join(_metric_lines(operational_counts(), healthy, checks)) + "\n"
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")


@csrf_exempt
@require_POST
def csp_report(request):
    """Browsers post a report here for each Content Security Policy violation; the log keeps it."""
    try:
        report = json.loads(request.body[:8192] or b"{}")
    except ValueError:
        report = {"unparsed": request.body[:500].decode("utf-8", "replace")}
    log.warning("CSP violation", extra={"csp_report": report.get("csp-report", report)})
    return HttpResponse(status=204)
