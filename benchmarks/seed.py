"""Seed a tier: a province-like organisation and N tickets with their events and deadline clocks.

Rows go in with PostgreSQL COPY from generators (memory stays flat at any size), with explicit ids
so foreign keys are known without reading anything back, then ANALYZE. A ``bench_tier`` marker row
says the tier is complete; a later run finds it and reuses the data.

What the rows are, and are not:
- The organisation: counties → townships → villages → segments; a village chief holds two segments,
  a township chief every segment of the township, a county chief every segment of the county.
- Tickets span three years, ids in reporting order. Older ones are closed (a few cancelled); those
  of the last 180 days are in flight, so the deadline sweep and the overdue list have work.
- Events: the steps that matter to the bulletin and the ledger (created, assigned, started,
  submitted, verified, closed, cancelled; some rejected, escalated, extension approved). Not every
  intermediate step, and the hash chain is NOT valid (a constant hash): do not run verify_audit on
  a bench database. FK and trigger checks are off while copying (session_replication_role =
  replica): the generator writes consistent ids itself.
- No viewflow processes: none of the tier benchmarks reads them.
"""

import contextlib
import datetime as dt
import json
import random
import time
from dataclasses import dataclass

import psycopg
from tqdm import tqdm

from .tiers import server_params

SEED_VERSION = 1
HASH = "0" * 64
PASSWORD = "!bench-seeded-user"  # unusable: the benchmarks log in with API tokens
START_DATE = dt.date(2020, 1, 1)
SPAN = dt.timedelta(days=3 * 365)
IN_FLIGHT = dt.timedelta(days=180)
SEARCH_WORD = "油污"  # in ~1% of descriptions: the API benchmark searches for it

WORDS = ["河道", "垃圾", "漂浮物", "岸坡", "堆放", "建筑垃圾", "排污口", "养殖", "采砂", "护栏", "损毁", "乱占",
         "违建", "枯枝", "水草", "淤积", "异味", "渗漏", "围垦", "非法", "倾倒", "生活污水", "农药瓶", "塑料袋"]
SOURCES = ["supervisor_feedback", "procuratorate_advice", "provincial_notice", "patrol_finding", "public_report"]
CATEGORIES = ["illegal_occupation", "illegal_extraction", "illegal_dumping", "illegal_construction", "garbage",
              "bank_damage", "sewage_outfall", "other"]
SEVERITIES = ["minor", "minor", "minor", "serious", "major"]
RECENT_STATES = (["reported"] * 10 + ["assigned"] * 30 + ["rectifying"] * 45 + ["submitted"] * 10
                 + ["verified"] * 5)
OLD_STATES = ["closed"] * 96 + ["cancelled"] * 3 + ["verified"]


@dataclass(frozen=True)
class OrgShape:
    counties: int
    townships: int  # per county
    villages: int  # per township
    segments: int  # per village
    supervisors: int


SHAPES = {
    # ~40k segments, ~20.5k chiefs, 120k appointments: a province-sized jurisdiction.
    "province": OrgShape(counties=50, townships=10, villages=8, segments=10, supervisors=200),
    "small": OrgShape(counties=2, townships=3, villages=4, segments=10, supervisors=10),
}


# --- the tier's database -------------------------------------------------------------------------


def connect(database, **kwargs):
    return psycopg.connect(dbname=database, **server_params(), **kwargs)


def marker(database):
    """The marker row of a complete tier, or None (no database, or seeding never finished)."""
    try:
        with connect(database) as conn:
            row = conn.execute(
                "SELECT tickets, version, seeded_at, info FROM bench_tier WHERE id = 1"
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    return {"tickets": row[0], "version": row[1], "seeded_at": row[2], "info": row[3]}


def recreate_database(database):
    with connect("postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')


def ensure_tier(tier, *, migrate):
    """Seed ``tier`` unless its marker says it is there; return the marker. ``migrate()`` runs migrations
    on the tier's database (the caller has pointed Django at it)."""
    found = marker(tier.database)
    if found and found["tickets"] == tier.tickets and found["version"] == SEED_VERSION:
        migrate()  # a no-op unless the product gained migrations since the tier was seeded
        return found
    print(f"seeding tier {tier.name} ({tier.tickets:,} tickets) into {tier.database} …", flush=True)
    started = time.monotonic()
    recreate_database(tier.database)
    migrate()
    info = seed(tier)
    info["seconds"] = round(time.monotonic() - started, 1)
    with connect(tier.database) as conn:
        conn.execute(
            "CREATE TABLE bench_tier (id int PRIMARY KEY, tickets int NOT NULL, version int NOT NULL,"
            " seeded_at timestamptz NOT NULL DEFAULT now(), info jsonb NOT NULL)"
        )
        conn.execute("INSERT INTO bench_tier (id, tickets, version, info) VALUES (1, %s, %s, %s)",
                     [tier.tickets, SEED_VERSION, json.dumps(info)])
    print(f"seeded {tier.name} in {info['seconds']} s", flush=True)
    return marker(tier.database)


def copy_rows(conn, table, columns, rows, total, label):
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        tqdm(total=total, desc=label, unit="rows", unit_scale=True, mininterval=1, leave=False) as bar,
    ):
        pending = 0
        for row in rows:
            copy.write_row(row)
            pending += 1
            if pending == 20_000:
                bar.update(pending)
                pending = 0
        bar.update(pending)


def reset_sequences(conn, tables):
    for table in tables:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"
        )


# --- the organisation ----------------------------------------------------------------------------


@dataclass
class Org:
    office: int
    verifier: int
    supervisors: list
    segment_village_chief: list  # index: segment id - 1
    segment_township_chief: list
    township_chiefs: list
    segments: int


def _user(uid, username, now, first=""):
    return (uid, PASSWORD, None, False, username, first, "", "", False, True, now)


def seed_org(conn, shape, now):
    groups = dict(conn.execute("SELECT name, id FROM auth_group").fetchall())
    areas, segments, appointments, users, memberships = [], [], [], [], []
    seg_village_chief, seg_township_chief, township_chiefs = [], [], []
    uid = 0

    def new_user(username, role, first=""):
        nonlocal uid
        uid += 1
        users.append(_user(uid, username, now, first))
        memberships.append((len(memberships) + 1, uid, groups[role]))
        return uid

    office = new_user("bench_office", "office", "河长办")
    verifier = new_user("bench_verifier", "verifier", "核查员")
    new_user("bench_office_head", "office_head", "河长办主任")
    new_user("bench_general_chief", "general_chief", "总河长")
    supervisors = [new_user(f"bench_supervisor_{i}", "social_supervisor") for i in range(shape.supervisors)]

    rivers = max(1, shape.counties * shape.townships * shape.villages * shape.segments // 20)
    rng = random.Random(7)
    area_id = seg_id = appt_id = 0
    for c in range(1, shape.counties + 1):
        area_id += 1
        county = area_id
        areas.append((county, f"{c}号县", f"C{c:03d}", "county", None))
        county_chief = new_user(f"chief_c{c}", "chief", f"{c}号县河长")
        for t in range(1, shape.townships + 1):
            area_id += 1
            township = area_id
            areas.append((township, f"{c}号县{t}号镇", f"C{c:03d}T{t:02d}", "township", county))
            township_chief = new_user(f"chief_c{c}t{t}", "chief", f"{c}-{t}镇河长")
            township_chiefs.append(township_chief)
            for v in range(1, shape.villages + 1):
                area_id += 1
                village = area_id
                areas.append((village, f"{c}号县{t}号镇{v}号村", f"C{c:03d}T{t:02d}V{v:02d}", "village", township))
                village_chief = None
                for s in range(shape.segments):
                    seg_id += 1
                    if s % 2 == 0:
                        village_chief = new_user(f"chief_s{seg_id}", "chief", f"{seg_id}段河长")
                    segments.append((seg_id, rng.randint(1, rivers), village, f"{s + 1}号段", f"S{seg_id:06d}"))
                    seg_village_chief.append(village_chief)
                    seg_township_chief.append(township_chief)
                    for level, chief in (("village", village_chief), ("township", township_chief),
                                         ("county", county_chief)):
                        appt_id += 1
                        appointments.append((appt_id, chief, seg_id, level, START_DATE, None))

    copy_rows(conn, "auth_user", ["id", "password", "last_login", "is_superuser", "username", "first_name",
                                  "last_name", "email", "is_staff", "is_active", "date_joined"],
              users, len(users), "users")
    copy_rows(conn, "auth_user_groups", ["id", "user_id", "group_id"], memberships, len(memberships), "groups")
    copy_rows(conn, "tickets_area", ["id", "name", "code", "level", "parent_id"], areas, len(areas), "areas")
    copy_rows(conn, "tickets_river", ["id", "name", "code"],
              ((i, f"{i}号河", f"R{i:05d}") for i in range(1, rivers + 1)), rivers, "rivers")
    copy_rows(conn, "tickets_segment", ["id", "river_id", "area_id", "name", "code"], segments, len(segments),
              "segments")
    copy_rows(conn, "tickets_chiefappointment", ["id", "chief_id", "segment_id", "level", "start_date", "end_date"],
              appointments, len(appointments), "appointments")
    reset_sequences(conn, ["auth_user", "auth_user_groups", "tickets_area", "tickets_river", "tickets_segment",
                           "tickets_chiefappointment"])
    return Org(office, verifier, supervisors, seg_village_chief, seg_township_chief, township_chiefs, seg_id)


# --- tickets, events, clocks ---------------------------------------------------------------------


TICKET_COLUMNS = [
    "id", "number", "state", "source", "source_reference", "received_on", "category", "severity", "segment_id",
    "latitude", "longitude", "address", "description", "reporter_id", "responsible_chief_id", "responsible_level",
    "instructions", "due_at", "deadline_rule", "deadline_provisional", "measures", "rectified_by_id",
    "verified_by_id", "escalation_level", "rejection_count", "reported_at", "assigned_at", "started_at",
    "submitted_at", "verified_at", "closed_at", "cancelled_at", "updated_at",
]
EVENT_COLUMNS = ["ticket_id", "seq", "kind", "actor_id", "from_state", "to_state", "payload", "created_at",
                 "prev_hash", "hash"]
CLOCK_COLUMNS = ["ticket_id", "due_at", "generation", "deadline_set_at", "base_due_at", "base_set_at", "running",
                 "paused_since", "reminders_from", "levels_from", "next_fire_at", "updated_at"]

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
# After the deadline: the days at which the default ladder's levels 1, 2, 3 fall (5 and 15 working days).
LEVEL_OFFSETS = [dt.timedelta(0), dt.timedelta(days=7), dt.timedelta(days=21)]
REMINDER_OFFSETS = [dt.timedelta(days=-4), dt.timedelta(days=-1), dt.timedelta(hours=-8)]


def _ticket(i, n, org, now, rng):
    """One ticket's row, its events, and its clock row (or None)."""
    tid = i + 1
    reported = now - SPAN + SPAN * ((i + 0.5) / n) + dt.timedelta(minutes=rng.randint(-30, 30))
    recent = now - reported < IN_FLIGHT
    state = rng.choice(RECENT_STATES if recent else OLD_STATES)
    seg = rng.randint(1, org.segments)
    reporter = rng.choice(org.supervisors)
    chief = org.segment_village_chief[seg - 1]
    words = rng.sample(WORDS, 4)
    if rng.random() < 0.01:
        words.insert(2, SEARCH_WORD)
    description = f"{rng.randint(1, 999)}号断面附近" + "、".join(words) + ",请核实整改。"

    assigned = started = submitted = verified = closed = cancelled = due = None
    escalation = rejections = 0
    if state == "cancelled":
        cancelled = reported + 2 * DAY
    if state not in ("reported", "cancelled"):
        assigned = min(reported + rng.uniform(0.2, 2) * DAY, now - HOUR)
        due = assigned + rng.randint(10, 45) * DAY
    if state in ("rectifying", "submitted", "verified", "closed"):
        started = min(assigned + DAY, now - HOUR)
    if state in ("submitted", "verified", "closed"):
        submitted = min(started + rng.uniform(2, 50) * DAY, now - HOUR)
        rejections = 1 if rng.random() < 0.05 else 0
    if state in ("verified", "closed"):
        verified = min(submitted + DAY, now - HOUR)
    if state == "closed":
        closed = min(verified + DAY, now - HOUR)
    if due is not None:
        until = submitted or now
        escalation = sum(1 for offset in LEVEL_OFFSETS if due + offset < until)

    ticket = (
        tid, f"ZG-{reported.year}-{tid:07d}", state, rng.choice(SOURCES), "", reported.date(),
        rng.choice(CATEGORIES), rng.choice(SEVERITIES), seg, None, None, "", description, reporter,
        chief if assigned else None, "village" if assigned else "", "", due, "policy:bench" if due else "",
        False, "已整改" if submitted else "", chief if submitted else None, org.verifier if verified else None,
        escalation, rejections, reported, assigned, started, submitted, verified, closed, cancelled,
        closed or verified or submitted or started or assigned or cancelled or reported,
    )

    events = [("created", reporter, "", "reported", {}, reported)]
    if assigned:
        events.append(("assigned", org.office, "reported", "assigned", {"chief": chief}, assigned))
    if started:
        events.append(("started", chief, "assigned", "rectifying", {}, started))
    for level in range(1, escalation + 1):
        events.append(("escalated", None, "", "", {"level": level, "due_at": due.isoformat()},
                       due + LEVEL_OFFSETS[level - 1]))
    if due and rng.random() < 0.02:
        events.append(("extension_approved", org.office, "", "", {"days": 5}, assigned + 3 * DAY))
    if rejections:
        events.append(("rejected", org.verifier, "submitted", "rectifying", {}, submitted - DAY))
    if submitted:
        events.append(("submitted", chief, "rectifying", "submitted", {}, submitted))
    if verified:
        events.append(("verified", org.verifier, "submitted", "verified", {}, verified))
    if closed:
        events.append(("closed", org.office, "verified", "closed", {}, closed))
    if cancelled:
        events.append(("cancelled", org.office, "reported", "cancelled", {}, cancelled))
    event_rows = [
        (tid, seq, kind, actor, src, dst, json.dumps(payload), at, HASH if seq > 1 else "", HASH)
        for seq, (kind, actor, src, dst, payload, at) in enumerate(events, start=1)
    ]

    clock = None
    if due is not None:
        running = state in ("assigned", "rectifying")
        next_fire = None
        if running:
            # The next step still ahead (at least an hour ahead, so a fresh tier has nothing due).
            moments = [due + o for o in REMINDER_OFFSETS] + [due + o for o in LEVEL_OFFSETS]
            next_fire = next((m for m in moments if m > now + HOUR), None)
        clock = (tid, due, 1, assigned, due, assigned, running, None, assigned, None, next_fire, now)
    return ticket, event_rows, clock


def copy_tickets(database, n, org, now):
    """One pass of the generator into three COPY streams (three connections): tickets, events, clocks."""
    rng = random.Random(11)
    with contextlib.ExitStack() as stack:
        copies = []
        for table, columns in (("tickets_ticket", TICKET_COLUMNS), ("tickets_ticketevent", EVENT_COLUMNS),
                               ("deadlines_ticketclock", CLOCK_COLUMNS)):
            conn = stack.enter_context(connect(database))
            conn.execute("SET session_replication_role = replica")
            cur = stack.enter_context(conn.cursor())
            copies.append(stack.enter_context(cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")))
        tickets, events, clocks = copies
        bar = stack.enter_context(tqdm(total=n, desc="tickets+events+clocks", unit="tickets", unit_scale=True,
                                       mininterval=1))
        for i in range(n):
            ticket, event_rows, clock = _ticket(i, n, org, now, rng)
            tickets.write_row(ticket)
            for row in event_rows:
                events.write_row(row)
            if clock is not None:
                clocks.write_row(clock)
            if i % 10_000 == 9_999:
                bar.update(10_000)
        bar.update(n % 10_000)
    # Leaving the stack ends each COPY and commits each connection.


def seed(tier):
    shape = SHAPES[tier.org]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    n = tier.tickets
    with connect(tier.database) as conn:
        # Ids are generated consistently here; skip FK triggers (and the append-only trigger) while copying.
        conn.execute("SET session_replication_role = replica")
        org = seed_org(conn, shape, now)
        conn.commit()

        copy_tickets(tier.database, n, org, now)
        reset_sequences(conn, ["tickets_ticket", "tickets_ticketevent"])
        counts = dict(conn.execute("SELECT state, count(*) FROM tickets_ticket GROUP BY state").fetchall())
        events_total = conn.execute("SELECT count(*) FROM tickets_ticketevent").fetchone()[0]
        conn.commit()
    with connect(tier.database, autocommit=True) as conn:
        print("ANALYZE …", flush=True)
        conn.execute("VACUUM ANALYZE")
    return {
        "now": now.isoformat(), "org": tier.org, "segments": org.segments, "states": counts,
        "events": events_total, "township_chief": org.township_chiefs[len(org.township_chiefs) // 2],
        "office": org.office,
    }
