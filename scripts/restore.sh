#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW, EMPTY database and media folder, then
# check the audit trail.
#
#   createdb -h db.internal -U postgres hezhang_restored
#   DATABASE_URL=postgres://.../hezhang_restored MEDIA_ROOT=/srv/hezhang/media-restored \
#     scripts/restore.sh var/backups/hezhang-20260101T020000Z
#
# Refuses a database that already has tables: a restore never mixes with live data. Switch the
# deployment over (DATABASE_URL, MEDIA_ROOT in /etc/hezhang/env) only after it has passed.
set -euo pipefail
cd "$(dirname "$0")/.."

src=${1:?usage: scripts/restore.sh BACKUP_DIR}
: "${DATABASE_URL:?set DATABASE_URL to the new, empty database}"
media=${MEDIA_ROOT:-var/media}
python=${PYTHON:-.venv/bin/python}

(cd "$src" && sha256sum --check --quiet SHA256SUMS)

tables=$(psql "$DATABASE_URL" -XAtc "select count(*) from information_schema.tables where table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "refusing: the target database already has $tables tables; restore into a new, empty one" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$src/db.dump"

if [ -f "$src/media.tar.gz" ]; then
  mkdir -p "$media"
  tar -C "$media" -xzf "$src/media.tar.gz"
fi

# The schema is the code's (no migration left to apply), and every audit chain is intact.
"$python" manage.py migrate --check --noinput
"$python" manage.py verify_audit
echo "restored into $DATABASE_URL; media in $media"
