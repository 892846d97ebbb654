#!/usr/bin/env bash
# Rehabit backup: the PostgreSQL database (pg_dump custom format) and the uploaded pictures, with
# a checksum file, into REHABIT_BACKUP_DIR; sets older than REHABIT_BACKUP_KEEP_DAYS are removed.
# Run nightly by rehabit-backup.timer; by hand: sudo systemctl start rehabit-backup.service
# Reads DATABASE_URL and DJANGO_MEDIA_ROOT like the app. A set is complete only when its
# .sha256 file exists: it is written last.
set -euo pipefail
umask 077

: "${DATABASE_URL:?DATABASE_URL must be set (the same value the app uses)}"
backup_dir="${REHABIT_BACKUP_DIR:-/var/backups/rehabit}"
keep_days="${REHABIT_BACKUP_KEEP_DAYS:-14}"
media_root="${DJANGO_MEDIA_ROOT:-/var/lib/rehabit/media}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
set_name="rehabit-$stamp"

mkdir -p "$backup_dir"
cd "$backup_dir"
trap 'rm -f "$set_name.dump.partial" "$set_name.media.tar.gz.partial"' EXIT

started=$(date +%s)
# One consistent snapshot of the database, however long the dump takes.
pg_dump --format=custom --compress=6 --file="$set_name.dump.partial" --dbname="$DATABASE_URL"
# A dump that pg_restore cannot read is not a backup.
pg_restore --list "$set_name.dump.partial" >/dev/null
mv "$set_name.dump.partial" "$set_name.dump"

if [ -d "$media_root" ]; then
  tar --create --gzip --file="$set_name.media.tar.gz.partial" --directory="$media_root" .
else
  echo "note: $media_root does not exist yet (no pictures uploaded); archiving nothing" >&2
  tar --create --gzip --file="$set_name.media.tar.gz.partial" --files-from=/dev/null
fi
mv "$set_name.media.tar.gz.partial" "$set_name.media.tar.gz"

sha256sum "$set_name.dump" "$set_name.media.tar.gz" >"$set_name.sha256"
finished=$(date +%s)

# Retention: whole sets older than keep_days; never the set just written.
find "$backup_dir" -maxdepth 1 -type f -name 'rehabit-*' -mtime +"$keep_days" \
  ! -name "$set_name.*" -delete

echo "backup $set_name: database $(du -h "$set_name.dump" | cut -f1)," \
  "pictures $(du -h "$set_name.media.tar.gz" | cut -f1), $((finished - started)) s, in $backup_dir"
