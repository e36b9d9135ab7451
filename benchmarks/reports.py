"""Benchmark 4: the monthly bulletin and the ledger export: seconds and peak memory (RSS).

Each measurement runs in a fresh child process (spawned, so nothing of the parent's memory counts),
which reports its RSS after Django is set up and connected ("base") and its peak (ru_maxrss) after
the work. The bulletin is ``oversight.bulletins.bulletin_generate`` for the last full month before
the tier was seeded, over the whole jurisdiction, at a small and a large tier: its query count must
not change with the table (figures computed in SQL) and its memory must stay flat. The ledger export
is ``oversight.ledger_export.write_ledger`` (what the background job runs) of the office's first
N rows, at two N from one tier: memory must not grow with N (the rows are streamed).
"""

import datetime as dt
import multiprocessing
import resource
import tempfile
import time

from . import worker

MB = 1024 * 1024


def _bulletin(database):
    from django.utils import timezone

    from oversight import periods
    from oversight.bulletins import bulletin_generate

    from .seed import marker

    seeded = dt.datetime.fromisoformat(marker(database)["info"]["now"])
    period = periods.previous_month(timezone.localtime(seeded).date())
    bulletin = bulletin_generate(period=period)
    snapshot = bulletin.snapshot
    return {"rows": len(snapshot["chiefs"]), "received": snapshot["totals"]["received"], "period": period.code}


def _export(database, rows):
    from django.contrib.auth import get_user_model

    from oversight.ledger_export import ledger_queryset, write_ledger

    from .seed import marker

    office = get_user_model().objects.get(pk=marker(database)["info"]["office"])
    with tempfile.TemporaryFile() as handle:
        written = write_ledger(handle, ledger_queryset(viewer=office)[:rows])
        size = handle.tell()
    return {"rows": written, "bytes": size}


def worker_body(kind, n, barrier, out):
    """In the child: (job, database) = kind; n = rows for an export."""
    import psutil
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .tiers import use_database

    job, database = kind
    with use_database(database):
        connection.ensure_connection()
        base = psutil.Process().memory_info().rss
        barrier.wait()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = _bulletin(database) if job == "bulletin" else _export(database, n)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    out.put({**result, "seconds": seconds, "base": base, "peak": peak, "queries": len(ctx.captured_queries)})


def in_child(job, database, n=0):
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(1), ctx.Queue()
    proc = ctx.Process(target=worker.run, args=(__name__, (job, database), n, barrier, out))
    proc.start()
    result = out.get(timeout=3600)
    proc.join()
    if isinstance(result, BaseException):
        raise RuntimeError(f"{job} on {database} failed: {result!r}")
    return result


def run(report, *, bulletin_tiers, export_tier, rows, repeat):
    bulletin = {t.name: [] for t in bulletin_tiers}
    export = {n: [] for n in rows}
    for _ in range(repeat):  # side by side: the sizes alternate within each round
        for tier in bulletin_tiers:
            result = in_child("bulletin", tier.database)
            bulletin[tier.name].append(result)
            print(f"  bulletin {tier.name} {result['period']}: {result['seconds']:.2f} s, "
                  f"peak {result['peak'] / MB:.0f} MB, {result['queries']} queries", flush=True)
        for n in rows:
            result = in_child("export", export_tier.database, n)
            export[n].append(result)
            print(f"  export {n:,} rows: {result['seconds']:.2f} s, peak {result['peak'] / MB:.0f} MB", flush=True)

    peaks = {}
    for name, results in bulletin.items():
        first = results[0]
        note = f"{first['period']}, {first['received']:,} received, {first['rows']:,} chief rows"
        report.figure(f"bulletin {name}: seconds", "s", [r["seconds"] for r in results], note=note)
        peaks[name] = report.figure(f"bulletin {name}: peak RSS", "MB", [r["peak"] / MB for r in results])
        report.figure(f"bulletin {name}: RSS growth over base", "MB", [(r["peak"] - r["base"]) / MB for r in results])
        report.figure(f"bulletin {name}: queries", "queries", [r["queries"] for r in results])
    for n, results in export.items():
        note = f"from {export_tier.name}, {results[0]['bytes'] / MB:.1f} MB xlsx"
        report.figure(f"ledger export {n:,} rows: seconds", "s", [r["seconds"] for r in results], note=note)
        peaks[n] = report.figure(f"ledger export {n:,} rows: peak RSS", "MB", [r["peak"] / MB for r in results])
        report.figure(f"ledger export {n:,} rows: RSS growth over base", "MB",
                      [(r["peak"] - r["base"]) / MB for r in results])

    names = list(bulletin)
    if len(names) > 1:
        small, large = names[0], names[-1]
        r = peaks[large].median / peaks[small].median
        report.ratio(f"bulletin peak RSS: {large} / {small}", r, "<= 1.25 (flat)", r <= 1.25)
        dq = bulletin[large][0]["queries"] - bulletin[small][0]["queries"]
        report.ratio(f"bulletin queries: {large} - {small}", dq, "== 0 (computed in SQL)", dq == 0)
    small_n, large_n = rows[0], rows[-1]
    r = peaks[large_n].median / peaks[small_n].median
    report.ratio(f"ledger export peak RSS: {large_n:,} / {small_n:,} rows", r, "<= 1.25 (streams)", r <= 1.25)
