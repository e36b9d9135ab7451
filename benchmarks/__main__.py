"""python -m benchmarks: set up data on PostgreSQL, run each benchmark several times, print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hezhang_bench python -m benchmarks [--only lifecycle] [--quick]
"""

import argparse
import os
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--only", default="", help="comma-separated: lifecycle,sweep,api,reports,notifications")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement (median, min, max)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the benchmarks work")
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

    from . import lifecycle
    from .harness import Report

    chosen = set(filter(None, args.only.split(","))) or {"lifecycle"}
    report = Report()
    if "lifecycle" in chosen:
        print("lifecycle …", flush=True)
        lifecycle.run(report, repeat=args.repeat if not args.quick else 2, n=20 if not args.quick else 3)
    report.print()
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    report.write_json(args.json)
    print(f"\nJSON: {args.json}")


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
