"""scripts/backup.sh and scripts/restore.sh, tried once: dump, restore into a fresh database, verify_audit."""

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.factories import png_upload, ticket_in_state
from tickets.models import AttachmentKind, Ticket, TicketEvent, TicketState
from tickets.services.attachments import attachment_add

from .conftest import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _url(dbname):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{dbname}"


def _admin(sql):
    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _script(name, *args, env):
    return subprocess.run(
        ["bash", f"scripts/{name}", *map(str, args)], cwd=ROOT, env={"PYTHON": sys.executable} | env,
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_a_fresh_database_keeps_tickets_files_and_an_intact_audit_trail(
    tmp_path, settings, segment, office, chief, fresh_database
):
    closed = ticket_in_state(TicketState.CLOSED, office=office, chief=chief, segment=segment)
    open_one = ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    photo = attachment_add(ticket=open_one, actor=office, upload=png_upload("evidence.png"), kind=AttachmentKind.BEFORE)
    tickets, events = Ticket.objects.count(), TicketEvent.objects.count()

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_ENV")}
    backup = _script(
        "backup.sh", tmp_path / "backups",
        env=env | {"DATABASE_URL": _url(connection.settings_dict["NAME"]), "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert {p.name for p in folder.iterdir()} == {"db.dump", "media.tar.gz", "SHA256SUMS"}

    restored_media = tmp_path / "media-restored"
    restore_env = env | {"DATABASE_URL": _url(fresh_database), "MEDIA_ROOT": str(restored_media)}
    restore = _script("restore.sh", folder, env=restore_env)
    assert restore.returncode == 0, restore.stderr + restore.stdout
    assert f"audit trail intact: {events} events, {tickets} tickets" in restore.stdout

    with psycopg.connect(_url(fresh_database)) as conn:
        assert conn.execute("select count(*) from tickets_ticket").fetchone()[0] == tickets
        state = conn.execute("select state from tickets_ticket where number = %s", [closed.number]).fetchone()[0]
        assert state == TicketState.CLOSED
    restored_file = restored_media / photo.file.name
    assert hashlib.sha256(restored_file.read_bytes()).hexdigest() == photo.sha256

    # verify_audit on its own, as an operator would run it after switching over.
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=restore_env, capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stderr

    # A restore never mixes with data already there.
    again = _script("restore.sh", folder, env=restore_env)
    assert again.returncode != 0 and "refusing" in again.stderr


def test_restore_refuses_a_damaged_backup(tmp_path, settings, segment, office, chief, fresh_database):
    ticket_in_state(TicketState.REPORTED, office=office, chief=chief, segment=segment)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_ENV")}
    backup = _script(
        "backup.sh", tmp_path / "backups",
        env=env | {"DATABASE_URL": _url(connection.settings_dict["NAME"]), "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    )
    folder = Path(backup.stdout.strip().splitlines()[-1])
    with open(folder / "db.dump", "r+b") as dump:
        dump.seek(200)
        dump.write(b"\0\0\0\0")
    restore = _script("restore.sh", folder, env=env | {"DATABASE_URL": _url(fresh_database),
                                                       "MEDIA_ROOT": str(tmp_path / "m")})
    assert restore.returncode != 0
    with psycopg.connect(_url(fresh_database)) as conn:
        assert conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        ).fetchone()[0] == 0
