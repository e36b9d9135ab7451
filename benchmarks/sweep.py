"""Benchmark 2: the deadline sweep (reminders + escalation) at two table sizes and three loads.

"Due" = clocks whose ``next_fire_at`` has come. Before each timed run, N running clocks are made due
(deadline an hour ago, so exactly escalation level 1 fires for each, and their fired alerts are
cleared); after it they are put back. The timed call is ``deadlines.tasks.sweep``, the function Celery
beat runs every minute. With nothing due the sweep must be an index probe: its claim query is
EXPLAINed to show the partial index ``clock_next_fire_idx`` is used.

Events the sweep appends stay (the trail is append-only); each run adds one ESCALATED event per item.
"""

import datetime as dt
import time

from django.db import connection, transaction
from django.utils import timezone

from deadlines.sweep import claim_query

SAVED = "bench_sweep_saved"


def _sql(statement, params=None):
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.rowcount


def restore():
    """Put the clocks of the last run back (also after an interrupted run)."""
    _sql(f"""CREATE TABLE IF NOT EXISTS {SAVED} (ticket_id bigint PRIMARY KEY, due_at timestamptz,
             next_fire_at timestamptz, levels_from timestamptz, escalation_level integer)""")
    with transaction.atomic():
        _sql(f"DELETE FROM deadlines_firedalert WHERE ticket_id IN (SELECT ticket_id FROM {SAVED})")
        _sql(f"""UPDATE deadlines_ticketclock c SET due_at = s.due_at, next_fire_at = s.next_fire_at,
                 levels_from = s.levels_from FROM {SAVED} s WHERE c.ticket_id = s.ticket_id""")
        _sql(f"""UPDATE tickets_ticket t SET escalation_level = s.escalation_level FROM {SAVED} s
                 WHERE t.id = s.ticket_id""")
        _sql(f"TRUNCATE {SAVED}")


def nothing_due():
    """Time moves on between runs: push any clock that has come due by itself an hour ahead of now."""
    restore()
    return _sql(
        "UPDATE deadlines_ticketclock SET next_fire_at = now() + interval '30 days' "
        "WHERE next_fire_at <= now() + interval '1 hour'"
    )


def make_due(n):
    now = timezone.now()
    with transaction.atomic():
        saved = _sql(
            f"""INSERT INTO {SAVED} SELECT c.ticket_id, c.due_at, c.next_fire_at, c.levels_from, t.escalation_level
                FROM deadlines_ticketclock c JOIN tickets_ticket t ON t.id = c.ticket_id
                WHERE c.running AND c.paused_since IS NULL ORDER BY c.ticket_id LIMIT %s""",
            [n],
        )
        _sql(f"DELETE FROM deadlines_firedalert WHERE ticket_id IN (SELECT ticket_id FROM {SAVED})")
        _sql(
            f"""UPDATE deadlines_ticketclock c SET due_at = %s, next_fire_at = %s, levels_from = NULL
                FROM {SAVED} s WHERE c.ticket_id = s.ticket_id""",
            [now - dt.timedelta(hours=1), now - dt.timedelta(minutes=1)],
        )
    if saved < n:
        raise RuntimeError(f"the tier has only {saved} running clocks; {n} asked")


def timed_sweep():
    from deadlines.tasks import sweep

    connection.ensure_connection()
    start = time.perf_counter()
    result = sweep()
    return time.perf_counter() - start, result


def explain_claim():
    """The plan of the sweep's claim query with nothing due (the product's own query, a later batch's:
    with its keyset condition)."""
    now = timezone.now()
    with transaction.atomic():
        return claim_query(now, after=(now - dt.timedelta(days=1), 0)).explain(analyze=True)


def run(report, tiers, *, repeat, due_counts, repeat_big, probes=15):
    from .tiers import use_database

    samples = {(t.name, n): [] for t in tiers for n in due_counts}
    for tier in tiers:
        with use_database(tier.database):
            pushed = nothing_due()
            plan = explain_claim()
            used = "clock_next_fire_idx" in plan
            report.note(f"sweep claim plan, 0 due, {tier.name} ({pushed} clocks pushed ahead first):\n{plan}")
            report.ratio(f"sweep claim uses clock_next_fire_idx ({tier.name})", float(used), "index scan", used)
    for round_ in range(max(repeat, repeat_big)):
        for n in due_counts:
            if round_ >= (repeat if n <= 1000 else repeat_big):
                continue
            for tier in tiers:  # side by side: the sizes alternate within each round
                with use_database(tier.database):
                    if n == 0:
                        # Milliseconds: take several probes per round.
                        samples[(tier.name, 0)] += [timed_sweep()[0] for _ in range(probes)]
                        continue
                    make_due(n)
                    try:
                        seconds, result = timed_sweep()
                    finally:
                        restore()
                    if result["fired"] != n or result["failed"]:
                        raise RuntimeError(f"sweep of {n} due on {tier.name} fired {result}")
                    samples[(tier.name, n)].append(seconds)
                    print(f"  sweep {tier.name} {n} due: {seconds:.2f} s", flush=True)

    figs = {}
    for tier in tiers:
        for n in due_counts:
            if n == 0:
                figs[(tier.name, 0)] = report.figure(f"sweep {tier.name}, 0 due", "ms",
                                                     [s * 1000 for s in samples[(tier.name, 0)]])
            else:
                figs[(tier.name, n)] = report.figure(f"sweep {tier.name}, {n:,} due, per item", "ms/item",
                                                     [s * 1000 / n for s in samples[(tier.name, n)]],
                                                     note=f"total median {sorted(samples[(tier.name, n)])[len(samples[(tier.name, n)]) // 2]:.1f} s")
    small, large = tiers[0].name, tiers[-1].name
    lo, hi = sorted(n for n in due_counts if n)[0], sorted(n for n in due_counts if n)[-1]
    if small != large:
        r = figs[(large, 0)].median / figs[(small, 0)].median
        report.ratio(f"sweep 0 due: {large} / {small}", r, "<= 1.5", r <= 1.5)
        r = figs[(large, hi)].median / figs[(small, hi)].median
        report.ratio(f"sweep per item, {hi:,} due: {large} / {small}", r, "<= 1.5 (not with the table)", r <= 1.5)
    for name in dict.fromkeys([small, large]):
        r = figs[(name, hi)].median / figs[(name, lo)].median
        report.ratio(f"sweep per item {name}: {hi:,} due / {lo:,} due", r, "<= 1.5 (linear in the due)", r <= 1.5)
