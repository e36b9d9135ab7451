"""Benchmark 3: the ticket API under a bounded concurrent load, at a small and a large tier.

Per tier, gunicorn (3 sync workers, the product's WSGI app, the tier's database) listens on a free
port of 127.0.0.1; wrk, a second process, loads one endpoint at a time with a fixed number of
connections for a fixed time, and reports p50/p99 latency and requests/s. The two tiers' servers run
side by side and are loaded in turn, round after round, so both see the same machine noise.
Endpoints: a township chief's list (their scope), the office's ?overdue=true, the office's ?q=
search, and a ticket's detail. Queries per request are counted in-process (Django's test client
and CaptureQueriesContext) on both tiers: a fixed count must not depend on the table.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .seed import SEARCH_WORD, marker
from .tiers import dsn, use_database

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = [
    # (name, who, path; {number} is the tier's sample ticket)
    ("list, chief scope", "chief", "/api/tickets/"),
    ("list, overdue", "office", "/api/tickets/?overdue=true"),
    ("list, search", "office", f"/api/tickets/?q={quote(SEARCH_WORD)}"),
    ("detail", "office", "/api/tickets/{number}/"),
]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tier_fixture(tier):
    """Tokens for the office and a township chief (issued through the api app's service), a sample ticket."""
    from api.auth import token_issue
    from tickets.models import Ticket

    info = marker(tier.database)["info"]
    users = get_user_model().objects.in_bulk([info["office"], info["township_chief"]])
    office, chief = users[info["office"]], users[info["township_chief"]]
    tokens = {
        "office": token_issue(actor=office, user=office, name="bench api")[1],
        "chief": token_issue(actor=office, user=chief, name="bench api")[1],
    }
    # A closed ticket in the middle of the table, with a full trail (the same shape in every tier).
    sample = Ticket.objects.filter(state="closed", pk__gte=tier.tickets // 2).order_by("pk").first()
    return tokens, sample.number


def count_queries(tokens, number):
    """{endpoint: (queries, status, rows)} for one request each, after a warm-up request."""
    client, counts = Client(), {}
    for name, who, path in ENDPOINTS:
        url = path.format(number=number)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
        client.get(url, **headers)  # warm-up: the token's last-used time, caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, **headers)
        body = response.json()
        rows = body.get("count") if isinstance(body, dict) and "count" in body else 1
        if isinstance(body, dict) and body.get("count_exact") is False:
            rows = f"at least {rows}"  # the API counts up to a cap (api.pagination)
        counts[name] = (len(ctx.captured_queries), response.status_code, rows)
    return counts


class Server:
    """gunicorn serving the product on one tier's database, on a free loopback port."""

    def __init__(self, tier, workers=3):
        self.tier, self.port = tier, _free_port()
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.settings", DATABASE_URL=dsn(tier.database),
                   PYTHONPATH=str(ROOT))
        env.pop("REDIS_URL", None)
        log = open(ROOT / "var" / f"bench-gunicorn-{tier.name}.log", "w")  # noqa: SIM115 (closed in stop())
        self.log = log
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "-w", str(workers),
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "120"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, token, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn for {self.tier.name} exited; see var/bench-gunicorn-{self.tier.name}.log")
            try:
                request = urllib.request.Request(self.url("/api/me/"), headers={"Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn for {self.tier.name} not ready after {timeout} s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def wrk(url, token, *, seconds, connections, script_dir):
    """(p50 ms, p99 ms, requests/s, non-2xx) of one bounded load run against 127.0.0.1."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("load goes to loopback only")
    script = Path(script_dir) / f"bench-wrk-{token[:8]}.lua"
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return p50, p99, rps, int(bad.group(1)) if bad else 0


def run(report, tiers, *, repeat, seconds, connections):
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    script_dir = Path(settings.VAR_DIR)
    script_dir.mkdir(parents=True, exist_ok=True)
    fixtures, queries = {}, {}
    for tier in tiers:
        with use_database(tier.database):
            fixtures[tier.name] = tier_fixture(tier)
            queries[tier.name] = count_queries(*fixtures[tier.name])
        for name, (n, status, rows) in queries[tier.name].items():
            if status != 200:
                raise RuntimeError(f"{name} on {tier.name} answered {status}")
            report.figure(f"api {tier.name} {name}: queries/request", "queries", [n], note=f"{rows} rows")

    servers = {tier.name: Server(tier) for tier in tiers}
    results = {(t.name, e[0]): {"p50": [], "p99": [], "rps": []} for t in tiers for e in ENDPOINTS}
    try:
        for tier in tiers:
            servers[tier.name].wait_ready(fixtures[tier.name][0]["office"])
        for round_ in range(repeat + 1):  # round 0 warms the workers and the database's caches
            for name, who, path in ENDPOINTS:
                for tier in tiers:
                    tokens, number = fixtures[tier.name]
                    url = servers[tier.name].url(path.format(number=number))
                    p50, p99, rps, bad = wrk(url, tokens[who], seconds=2 if round_ == 0 else seconds,
                                             connections=connections, script_dir=script_dir)
                    if bad:
                        raise RuntimeError(f"{bad} non-2xx answers from {url}")
                    if round_:
                        r = results[(tier.name, name)]
                        r["p50"].append(p50), r["p99"].append(p99), r["rps"].append(rps)
                        print(f"  api {tier.name} {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, {rps:.0f}/s",
                              flush=True)
    finally:
        for server in servers.values():
            server.stop()

    figs = {}
    for tier in tiers:
        for name, _who, _path in ENDPOINTS:
            r = results[(tier.name, name)]
            note = f"{connections} connections, {seconds} s"
            report.figure(f"api {tier.name} {name}: p50", "ms", r["p50"], note=note)
            figs[(tier.name, name)] = report.figure(f"api {tier.name} {name}: p99", "ms", r["p99"], note=note)
            report.figure(f"api {tier.name} {name}: throughput", "req/s", r["rps"], note=note)
    small, large = tiers[0].name, tiers[-1].name
    if small == large:
        return
    for name, _who, _path in ENDPOINTS:
        ratio = figs[(large, name)].median / figs[(small, name)].median
        report.ratio(f"api p99 {name}: {large} / {small}", ratio, "<= 1.5", ratio <= 1.5)
        q_small, q_large = queries[small][name][0], queries[large][name][0]
        report.ratio(f"api queries {name}: {large} - {small}", q_large - q_small, "== 0 (fixed per request)",
                     q_large == q_small)
