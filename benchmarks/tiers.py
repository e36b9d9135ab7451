"""Data tiers: one PostgreSQL database per size, seeded once and found again by a marker row.

The benchmarks that compare sizes (sweep, API, reports) read two tiers side by side in one run.
Each tier is its own database (hezhang_bench_10k, _100k, _1m), so a run at one size never pays
for the rows of another, and ``DROP DATABASE`` is the whole clean-up.
"""

import contextlib
from dataclasses import dataclass

from django.db import connection, connections


@dataclass(frozen=True)
class Tier:
    name: str
    tickets: int
    org: str  # "province" or "small" (see seed.OrgShape)

    @property
    def database(self):
        return f"hezhang_bench_{self.name}"


FULL = {
    "10k": Tier("10k", 10_000, "province"),
    "100k": Tier("100k", 100_000, "province"),
    "1m": Tier("1m", 1_000_000, "province"),
}
# --quick: two small tiers, enough to prove every benchmark runs end to end in seconds.
QUICK = {
    "q2k": Tier("q2k", 2_000, "small"),
    "q6k": Tier("q6k", 6_000, "small"),
}


def server_params():
    settings = connection.settings_dict
    return {
        k: v
        for k, v in {
            "host": settings.get("HOST"), "port": settings.get("PORT"),
            "user": settings.get("USER"), "password": settings.get("PASSWORD"),
        }.items()
        if v
    }


def dsn(database):
    """A DATABASE_URL for a child process (gunicorn, celery) on ``database``."""
    p = server_params()
    auth = p.get("user", "postgres") + (f":{p['password']}" if p.get("password") else "")
    return f"postgres://{auth}@{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}/{database}"


@contextlib.contextmanager
def use_database(name):
    """Point the default connection at another database of the same server, then back.

    The product's code reads and writes through the default alias; swapping its NAME lets the
    benchmark drive that code unchanged on a tier's database.
    """
    settings = connections["default"].settings_dict
    previous = settings["NAME"]
    connections["default"].close()
    settings["NAME"] = name
    try:
        yield
    finally:
        connections["default"].close()
        settings["NAME"] = previous
