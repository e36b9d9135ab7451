"""python -m benchmarks: set up data on PostgreSQL, run each benchmark several times, print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hezhang_bench python -m benchmarks \
        [--only lifecycle,sweep,api,reports,notifications] [--quick] [--tiers 10k,100k,1m]

See benchmarks/README.md for what each benchmark measures and the figures of a full run.
"""

import argparse
import os
import sys

ALL = ["lifecycle", "sweep", "api", "reports", "notifications"]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(ALL) + " (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each lifecycle measurement (the others use the rounds given in benchmarks/README.md)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the benchmarks work")
    parser.add_argument("--tiers", default="10k,100k,1m",
                        help="data tiers the sweep, API and reports benchmarks may use (seeded once, reused)")
    parser.add_argument("--json", default="var/benchmarks.json", help="where to write the machine-readable figures")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("benchmarks run on PostgreSQL: set DATABASE_URL=postgres://...")
    _ensure_database()
    call_command("migrate", verbosity=0, interactive=False)

    from .harness import Report

    chosen = set(filter(None, args.only.split(","))) or set(ALL)
    unknown = chosen - set(ALL)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    report = Report()
    tiers = _tiers(args, chosen, report)
    quick = args.quick

    if "lifecycle" in chosen:
        from . import lifecycle

        print("lifecycle …", flush=True)
        lifecycle.run(report, repeat=args.repeat if not quick else 2, n=20 if not quick else 3)
    if "sweep" in chosen:
        from . import sweep

        pair = _pair(tiers, ["100k", "1m"], quick)
        print(f"sweep on {', '.join(t.name for t in pair)} …", flush=True)
        # One run per tier at 10,000 due: each is minutes on a 2-core machine.
        sweep.run(report, pair, repeat=2 if quick else 3, repeat_big=1,
                  due_counts=[0, 10, 50] if quick else [0, 100, 10_000], probes=5 if quick else 15)
    if "api" in chosen:
        from . import api

        pair = _pair(tiers, ["10k", "1m"], quick)
        print(f"api on {', '.join(t.name for t in pair)} …", flush=True)
        api.run(report, pair, repeat=1 if quick else 2, seconds=3 if quick else 15, connections=4 if quick else 8)
    if "reports" in chosen:
        from . import reports

        large = _pair(tiers, ["1m"], quick)[-1]
        export_tier = _pair(tiers, ["100k"], quick)[-1]
        rows = [1_000, 5_000] if quick else [10_000, 100_000]
        print(f"reports: bulletin on {large.name}, ledger export of {rows} rows from {export_tier.name} …", flush=True)
        reports.run(report, bulletin_tiers=_pair(tiers, ["10k", "1m"], quick), export_tier=export_tier,
                    rows=rows, repeat=1 if quick else 2)
    if "notifications" in chosen:
        from . import notifications

        print("notifications …", flush=True)
        notifications.run(report, k=200 if quick else 3000, repeat=2 if quick else 3)

    report.print()
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    report.write_json(args.json)
    print(f"\nJSON: {args.json}")


def _tiers(args, chosen, report):
    """The tiers this run needs, seeded if missing: {name: Tier}, smallest first."""
    from django.core.management import call_command

    from . import seed
    from .tiers import FULL, QUICK, use_database

    if not chosen & {"sweep", "api", "reports"}:
        return {}
    if args.quick:
        wanted = dict(QUICK)
    else:
        names = [n.strip().lower() for n in args.tiers.split(",") if n.strip()]
        missing = [n for n in names if n not in FULL]
        if missing:
            sys.exit(f"unknown tier(s) {missing}: choose from {', '.join(FULL)}")
        wanted = {n: FULL[n] for n in FULL if n in names}
    for tier in wanted.values():
        def migrate(tier=tier):
            with use_database(tier.database):
                call_command("migrate", verbosity=0, interactive=False)

        found = seed.ensure_tier(tier, migrate=migrate)
        info = found["info"]
        report.note(f"tier {tier.name}: {tier.database}, {tier.tickets:,} tickets, {info['events']:,} events, "
                    f"{info['segments']:,} segments, seeded {found['seeded_at']:%Y-%m-%d %H:%M} "
                    f"in {info.get('seconds', '?')} s; states {info['states']}")
    return wanted


def _pair(tiers, preferred, quick):
    """The tiers a benchmark compares: its preferred ones that were chosen, else the smallest and largest."""
    ordered = sorted(tiers.values(), key=lambda t: t.tickets)
    if not ordered:
        sys.exit("no data tier chosen")
    if quick:
        return ordered if len(preferred) > 1 else ordered[-1:]
    picked = [tiers[n] for n in preferred if n in tiers]
    if len(picked) < len(preferred):
        picked = [ordered[0], ordered[-1]] if len(preferred) > 1 else ordered[-1:]
    return list({t.name: t for t in picked}.values())


def _ensure_database():
    """Create the benchmark database on first use (the server's maintenance DB is always there)."""
    import psycopg
    from django.db import connection

    name = connection.settings_dict["NAME"]
    params = {k: v for k, v in {
        "host": connection.settings_dict.get("HOST"), "port": connection.settings_dict.get("PORT"),
        "user": connection.settings_dict.get("USER"), "password": connection.settings_dict.get("PASSWORD"),
    }.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
