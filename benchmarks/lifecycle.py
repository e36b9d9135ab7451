"""Benchmark 1: a ticket's whole life through the product's services, beside a plain-SQL floor and
django-helpdesk's open → resolved → closed, in the same run."""

import datetime as dt
import multiprocessing
import re
import time
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workflows import services

from . import worker
from .org import bench_org, user

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdac\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?([a-z0-9_]+)"?', re.I)


def _steps(org):
    """The lifecycle as separate top-level calls: each one is one transaction."""
    due = timezone.localdate() + dt.timedelta(days=10)
    state = {}

    def open_():
        state["t"] = services.open_ticket(
            reporter=org["supervisor"], segment=org["segment"], source="supervisor_feedback",
            category="garbage", description="基准测试:河道垃圾",
        )

    return [
        ("open", open_),
        ("assign", lambda: services.assign_ticket(ticket=state["t"], actor=org["office"], chief=org["chief"], due_at=due)),
        ("start", lambda: services.start_rectification(ticket=state["t"], actor=org["chief"])),
        ("submit", lambda: services.submit_rectification(
            ticket=state["t"], actor=org["chief"], measures="已清理",
            after_photos=[SimpleUploadedFile("after.png", PNG, content_type="image/png")],
        )),
        ("verify", lambda: services.verify_ticket(ticket=state["t"], actor=org["verifier"])),
        ("close", lambda: services.close_ticket(ticket=state["t"], actor=org["office"])),
    ]


def ours_once(org):
    for _name, step in _steps(org):
        step()


def profile_ours(org):
    """Queries per lifecycle, and the row writes of each transaction (for the floor to repeat)."""
    writes, total = [], 0
    for _name, step in _steps(org):
        with CaptureQueriesContext(connection) as ctx:
            step()
        total += len(ctx.captured_queries)
        writes.append(Counter(m.group(1).upper() + " " + m.group(2)
                              for q in ctx.captured_queries if (m := WRITE.match(q["sql"]))))
    return total, writes


FLOOR_DDL = """
CREATE TABLE IF NOT EXISTS bench_floor_row (
    id bigserial PRIMARY KEY, tbl text NOT NULL, ref bigint NOT NULL, state text, payload text,
    changed timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bench_floor_row_ref ON bench_floor_row (tbl, ref);
"""


def floor_once(writes):
    """The same number of row inserts/updates per transaction as ours, in plain SQL, nothing else."""
    ref = time.monotonic_ns()
    with connection.cursor() as cur:
        for tx in writes:
            with transaction.atomic():
                for op, count in tx.items():
                    kind, table = op.split(" ", 1)
                    for _ in range(count):
                        if kind == "INSERT INTO":
                            cur.execute(
                                "INSERT INTO bench_floor_row (tbl, ref, state, payload) VALUES (%s, %s, %s, %s)",
                                [table, ref, "s", "x" * 200],
                            )
                        else:
                            cur.execute(
                                "UPDATE bench_floor_row SET state = %s, changed = now() WHERE id = "
                                "(SELECT max(id) FROM bench_floor_row WHERE tbl = %s AND ref = %s)",
                                ["u", table, ref],
                            )


def helpdesk_setup():
    from helpdesk.models import Queue

    queue, _ = Queue.objects.get_or_create(slug="bench", defaults={"title": "Bench", "allow_email_submission": False})
    return queue, user("bench_helpdesk_staff", "office")


def helpdesk_once(queue, staff):
    """open → resolved → closed, the way django-helpdesk's own forms and views do it."""
    from helpdesk.models import FollowUp, Ticket
    from helpdesk.update_ticket import update_ticket

    with transaction.atomic():
        ticket = Ticket.objects.create(
            title="河道垃圾", queue=queue, created=timezone.now(), status=Ticket.OPEN_STATUS,
            description="基准测试", priority=3, assigned_to=staff,
        )
        FollowUp.objects.create(ticket=ticket, title="Ticket Opened", date=timezone.now(), public=True,
                                comment="基准测试", user=staff)
    with transaction.atomic():
        update_ticket(staff, ticket, comment="已处理", new_status=Ticket.RESOLVED_STATUS, public=True)
    with transaction.atomic():
        update_ticket(staff, ticket, comment="关闭", new_status=Ticket.CLOSED_STATUS, public=True)


def _count_queries(fn, *args):
    with CaptureQueriesContext(connection) as ctx:
        fn(*args)
    return len(ctx.captured_queries)


def _rate(fn, args, n):
    start = time.perf_counter()
    for _ in range(n):
        fn(*args)
    return n / (time.perf_counter() - start)


def worker_body(kind, n, barrier, out):
    org = bench_org()
    args = {"ours": (org,), "floor": (profile_ours(org)[1],), "helpdesk": helpdesk_setup()}[kind]
    fn = {"ours": ours_once, "floor": floor_once, "helpdesk": helpdesk_once}[kind]
    barrier.wait()
    start = time.perf_counter()
    for _ in range(n):
        fn(*args)
    out.put(time.perf_counter() - start)
    connections.close_all()


def concurrent_rate(kind, workers, n):
    """Lifecycles per second with ``workers`` processes each doing ``n``, started together."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=worker.run, args=(__name__, kind, n, barrier, out)) for _ in range(workers)]
    for p in procs:
        p.start()
    seconds = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    failed = [s for s in seconds if isinstance(s, BaseException)]
    if failed:
        raise RuntimeError(f"a benchmark worker failed: {failed[0]!r}")
    return workers * n / max(seconds)


def run(report, repeat, n):
    with connection.cursor() as cur:
        cur.execute(FLOOR_DDL)
    org = bench_org()
    queue, staff = helpdesk_setup()
    # Counted in the steady state a running office is in: per-process caches (notification rules,
    # the deadline ladder, group members) filled, as after any first request.
    ours_once(org)
    helpdesk_once(queue, staff)
    queries, writes = profile_ours(org)
    helpdesk_queries = _count_queries(helpdesk_once, queue, staff)
    floor_queries = _count_queries(floor_once, writes)
    ours, floor, peer = [], [], []
    for _ in range(repeat):
        ours.append(_rate(ours_once, (org,), n))
        floor.append(_rate(floor_once, (writes,), n))
        peer.append(_rate(helpdesk_once, (queue, staff), n))
    f_ours = report.figure("lifecycle ours, 1 worker", "lifecycles/s", ours)
    f_floor = report.figure("lifecycle floor (plain SQL), 1 worker", "lifecycles/s", floor)
    f_peer = report.figure("lifecycle django-helpdesk (3 steps), 1 worker", "lifecycles/s", peer)
    report.figure("queries per lifecycle, ours", "queries", [queries])
    report.figure("queries per lifecycle, floor", "queries", [floor_queries])
    report.figure("queries per lifecycle, django-helpdesk", "queries", [helpdesk_queries])
    report.figure("row writes per lifecycle, ours", "rows", [sum(sum(tx.values()) for tx in writes)],
                  note=f"{len(writes)} transactions")
    ours4 = [concurrent_rate("ours", 4, n) for _ in range(max(1, repeat // 2))]
    floor4 = [concurrent_rate("floor", 4, n) for _ in range(max(1, repeat // 2))]
    f_ours4 = report.figure("lifecycle ours, 4 workers", "lifecycles/s", ours4)
    f_floor4 = report.figure("lifecycle floor, 4 workers", "lifecycles/s", floor4)
    report.ratio("ours / floor, 1 worker", f_ours.median / f_floor.median, ">= 0.25", f_ours.median >= 0.25 * f_floor.median)
    report.ratio("ours / floor, 4 workers", f_ours4.median / f_floor4.median, ">= 0.25",
                 f_ours4.median >= 0.25 * f_floor4.median)
    report.ratio("ours / django-helpdesk, 1 worker", f_ours.median / f_peer.median, "> 1", f_ours.median > f_peer.median)
    report.ratio("queries per lifecycle, ours", queries, "< 80", queries < 80)
