#!/usr/bin/env bash
# Back up the database and the uploaded files into one dated folder.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/hezhang/media scripts/backup.sh [DEST_DIR]
#
# Writes DEST_DIR/hezhang-<UTC time>/ with db.dump (pg_dump custom format), media.tar.gz and
# SHA256SUMS, and prints that folder's path last. Safe while the product runs: pg_dump reads one
# consistent snapshot, and it runs before the media copy, so every file a dumped row names is
# already on disk (attachments are only ever added, under names of their own content hash).
# With MEDIA_STORAGE=s3 the media copy is left to the bucket's own versioning or replication.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL=postgres://user@host:5432/dbname}"
dest=${1:-${BACKUP_DIR:-var/backups}}
media=${MEDIA_ROOT:-var/media}
out="$dest/hezhang-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$out/db.dump"
pg_restore --list "$out/db.dump" >/dev/null   # the dump reads back

if [ "${MEDIA_STORAGE:-local}" = "s3" ]; then
  echo "media: MEDIA_STORAGE=s3, not copied here (use the bucket's versioning / replication)" >&2
else
  mkdir -p "$media"
  tar -C "$media" -czf "$out/media.tar.gz" .
fi

(cd "$out" && sha256sum -- * > SHA256SUMS)
echo "$out"
